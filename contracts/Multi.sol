// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Two deployable contracts in one file: pick one with `Multi.sol:A` or `Multi.sol:B`.
contract A {
  function name() external pure returns (string memory) {
    return "A";
  }
}

contract B {
  uint256 public immutable value;

  constructor(uint256 value_) {
    value = value_;
  }
}
