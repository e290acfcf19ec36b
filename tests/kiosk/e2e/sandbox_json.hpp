// The sandbox's admin answers as JSON, for the end-to-end tests that check what it holds.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "tests/kiosk/e2e/e2e_support.hpp"
#include "tests/kiosk/e2e/x_driver.hpp"

namespace lapor::testing::e2e {

// GET `url` (curl, into `tmp`), parsed; fails the test when it does not answer.
inline nlohmann::json getJson(const std::string& url, const fs::path& tmp) {
    REQUIRE(x::run("curl -sf " + url + " -o " + tmp.string()) == 0);
    return nlohmann::json::parse(readFile(tmp));
}

}  // namespace lapor::testing::e2e
