// The one doctest main shared by every test program. A run whose filter matched no test case
// fails: ctest runs each discovered case by its name, and a name that did not survive the
// discovery (a ';' splits it into pieces) would otherwise "pass" without running anything.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

// Counts the test cases that passed the filters of this run.
struct MatchCounter : doctest::IReporter {
    static inline unsigned matched = 0;
    explicit MatchCounter(const doctest::ContextOptions& /*options*/) {}
    void report_query(const doctest::QueryData& /*data*/) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        matched = stats.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData& /*data*/) override {}
    void test_case_reenter(const doctest::TestCaseData& /*data*/) override {}
    void test_case_end(const doctest::CurrentTestCaseStats& /*stats*/) override {}
    void test_case_exception(const doctest::TestCaseException& /*e*/) override {}
    void subcase_start(const doctest::SubcaseSignature& /*signature*/) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData& /*data*/) override {}
    void log_message(const doctest::MessageData& /*data*/) override {}
    void test_case_skipped(const doctest::TestCaseData& /*data*/) override {}
};
REGISTER_LISTENER("match_counter", 1, MatchCounter);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) {
        return result;  // a query (--list-test-cases, --help): nothing was meant to run
    }
    if (MatchCounter::matched == 0) {
        std::fprintf(stderr,
                     "doctest: no test case matched this run's filters: nothing was tested\n");
        return result != 0 ? result : 1;
    }
    return result;
}
