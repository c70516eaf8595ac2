// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The smallest deployable sample: no constructor arguments.
contract Counter {
  uint256 public count;

  event Incremented(uint256 count);

  function increment() external {
    count += 1;
    emit Incremented(count);
  }
}
