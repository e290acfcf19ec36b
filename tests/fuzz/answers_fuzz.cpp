// libFuzzer targets for the agent's answer readers (sync/answers), one per reader, picked by
// LAPOR_ANSWER_READER at compile time. Whatever the bytes, a reader returns a value or a
// malformed-answer error: it never throws, crashes or reads out of bounds.
// Inputs (seeds of real sandbox answers in tests/fuzz/corpus/answer_*):
//   submit, status, error:  the body
//   catalog:                the ETag header value, a newline, the body
//   tus:                    header lines "Name: value"
//   open311:                the Content-Type value, a newline, the body
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sync/answers.hpp"
#include "sync/exchange.hpp"

using namespace lapor;
using namespace lapor::sync;

namespace {

[[maybe_unused]] constexpr std::string_view kUuid = "0f1e2d3c-4b5a-4697-8877-665544332211";

// "first line\nrest" -> {first line, rest}
[[maybe_unused]] std::pair<std::string, std::string_view> splitFirstLine(std::string_view in) {
    const auto nl = in.find('\n');
    if (nl == std::string_view::npos) {
        return {std::string(in), {}};
    }
    return {std::string(in.substr(0, nl)), in.substr(nl + 1)};
}

[[maybe_unused]] HttpResponse headersFrom(std::string_view in, long status) {
    Headers h;
    while (!in.empty()) {
        auto [line, rest] = splitFirstLine(in);
        in = rest;
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            const auto value = line.find_first_not_of(' ', colon + 1);
            h.emplace_back(line.substr(0, colon),
                           value == std::string::npos ? std::string() : line.substr(value));
        }
    }
    return makeResponse(status, std::move(h));
}

// Every error a reader gives must be the malformed-answer kind.
template <class T>
[[maybe_unused]] void expectOnlyMalformed(const Result<T>& r) {
    if (!r.ok() && !isMalformedAnswer(r.error())) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
#if LAPOR_ANSWER_READER == 1
    expectOnlyMalformed(parseSubmitAnswer(in, kUuid, "{}"));
#elif LAPOR_ANSWER_READER == 2
    expectOnlyMalformed(parseStatusPage(in, "cursor"));
#elif LAPOR_ANSWER_READER == 3
    auto [etag, body] = splitFirstLine(in);
    expectOnlyMalformed(parseCatalogAnswer(body, etag.empty() ? nullptr : &etag));
#elif LAPOR_ANSWER_READER == 4
    const HttpResponse r = headersFrom(in, 200);
    expectOnlyMalformed(parseTusOptions(r));
    expectOnlyMalformed(parseUploadOffset(r, "tus HEAD"));
    expectOnlyMalformed(parseTusLocation(r, "http://127.0.0.1:1/v1/uploads"));
#elif LAPOR_ANSWER_READER == 5
    auto [type, body] = splitFirstLine(in);
    HttpResponse r = makeResponse(200, {{"Content-Type", type}}, std::string(body));
    auto list = parseOpen311List(r, "fuzz");
    expectOnlyMalformed(list);
    if (list.ok()) {
        expectOnlyMalformed(parseOpen311Ticket(*list, "fuzz"));
        expectOnlyMalformed(parseOpen311Requests(*list, {{std::string(kUuid), "LPR-2026-000001"}},
                                                 1'767'225'600'000));
    }
#elif LAPOR_ANSWER_READER == 6
    (void)parseErrorBody(in);
    for (long status : {401L, 409L, 503L}) {
        ExchangeNote note;
        const HttpResponse r =
            makeResponse(status, {{"Lapor-Protocol", "1"}, {"Retry-After", "30"}}, std::string(in));
        (void)httpFailure(r, "fuzz", laporGuard(), note, 1'767'225'600'000);
    }
#else
#error "LAPOR_ANSWER_READER must name a reader (1..6)"
#endif
    return 0;
}
