// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Deploys only with code 42; any other value reverts with a custom error, so tests
/// can check that a constructor revert is decoded as NotAllowed(caller, code).
contract Reverting {
  error NotAllowed(address caller, uint256 code);

  constructor(uint256 code) {
    if (code != 42) revert NotAllowed(msg.sender, code);
  }
}
