// Helpers shared by the storage and journal unit tests: status assertions
// that print the status on failure.
#ifndef CONNECTIVITY_TESTS_STORAGE_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_STORAGE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include "src/base/status.h"

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const ::connectivity::Status assert_ok_status_ = (expr);    \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_.ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const ::connectivity::Status expect_ok_status_ = (expr);    \
    EXPECT_TRUE(expect_ok_status_.ok()) << expect_ok_status_.ToString(); \
  } while (0)

// For Result<T>: asserts OK and evaluates to nothing; use ASSERT_RESULT_OK(r).
#define ASSERT_RESULT_OK(result) ASSERT_TRUE((result).ok()) << (result).status().ToString()

#endif  // CONNECTIVITY_TESTS_STORAGE_TEST_UTIL_H_
