// CurlHttpClient against an in-process HTTP server on loopback: streamed bodies, headers,
// connection re-use, stall detection, cancellation.
#include <doctest/doctest.h>
#include <httplib.h>

#include <condition_variable>
#include <future>
#include <thread>

#include "sync/http_client.hpp"

using namespace lapor;
using namespace lapor::sync;

namespace {

struct LoopbackServer {
    httplib::Server server;
    int port = 0;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable cv;
    bool release = false;

    LoopbackServer() {
        server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
            res.set_header("X-Size", std::to_string(req.body.size()));
            res.set_header("X-Got", req.get_header_value("X-Test"));
            res.set_content(req.body, "application/octet-stream");
            res.status = 201;
        });
        server.Patch("/echo", [](const httplib::Request& req, httplib::Response& res) {
            res.set_header("X-Size", std::to_string(req.body.size()));
            res.status = 204;
        });
        server.Get("/hold", [this](const httplib::Request&, httplib::Response& res) {
            std::unique_lock lock(mutex);
            cv.wait_for(lock, std::chrono::seconds(20), [this] { return release; });
            res.set_content("late", "text/plain");
        });
        server.set_keep_alive_max_count(1000);
        port = server.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server.listen_after_bind(); });
        // Bound already: connections wait in the backlog until the loop runs.
    }
    ~LoopbackServer() {
        {
            std::lock_guard lock(mutex);
            release = true;
        }
        cv.notify_all();
        // stop() is a no-op until the accept loop runs: wait for it (bounded) first.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!server.is_running() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::yield();
        }
        server.stop();
        thread.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port) + path;
    }
};

}  // namespace

TEST_CASE("bodies, streamed bodies and headers go both ways over one kept-alive connection") {
    LoopbackServer s;
    CurlHttpClient http(HttpOptions{});
    for (int i = 0; i < 20; ++i) {
        HttpRequest req;
        req.method = "POST";
        req.url = s.url("/echo");
        req.headers = {{"X-Test", "v" + std::to_string(i)}};
        req.body = std::string(1000 + i, 'a');
        auto res = http.send(req);
        REQUIRE(res.ok());
        CHECK(res->status == 201);
        CHECK(*res->header("x-got") == "v" + std::to_string(i));
        CHECK(*res->header("X-Size") == std::to_string(1000 + i));
        CHECK(res->body == req.body);
    }
    // A streamed PATCH body from a reader, in small pieces.
    const std::size_t total = 300 * 1024;
    std::size_t given = 0;
    HttpRequest patch;
    patch.method = "PATCH";
    patch.url = s.url("/echo");
    patch.readerSize = total;
    patch.reader = [&](char* buf, std::size_t n) -> Result<std::size_t> {
        const std::size_t k = std::min<std::size_t>({n, 777, total - given});
        std::fill_n(buf, k, 'z');
        given += k;
        return k;
    };
    auto res = http.send(patch);
    REQUIRE(res.ok());
    CHECK(res->status == 204);
    CHECK(*res->header("x-size") == std::to_string(total));
    CHECK(http.stats().requests == 21);
    CHECK(http.stats().connectionsOpened == 1);  // keep-alive: one connection for all
    CHECK(http.stats().bytesSent > total + 20 * 1000);
}

TEST_CASE("a reader's error aborts the request with that error") {
    LoopbackServer s;
    CurlHttpClient http(HttpOptions{});
    HttpRequest req;
    req.method = "PATCH";
    req.url = s.url("/echo");
    req.readerSize = 10;
    req.reader = [](char*, std::size_t) -> Result<std::size_t> {
        return makeError(Errc::corrupt, "photo unreadable");
    };
    auto res = http.send(req);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::corrupt);
}

TEST_CASE("a stalled answer times out and a refused connection is a network error") {
    LoopbackServer s;
    HttpOptions o;
    o.stallSeconds = 1;
    o.stallBytesPerSecond = 1;
    CurlHttpClient http(o);
    HttpRequest req;
    req.url = s.url("/hold");
    auto res = http.send(req);
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::timeout);

    HttpRequest gone;
    gone.url = "http://127.0.0.1:1/";
    auto refused = http.send(gone);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::network);
}

TEST_CASE("cancel stops a request in flight and refuses new ones") {
    LoopbackServer s;
    CurlHttpClient http(HttpOptions{});
    HttpRequest req;
    req.url = s.url("/hold");
    auto pending = std::async(std::launch::async, [&] { return http.send(req); });
    CHECK(pending.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
    http.cancel();
    REQUIRE(pending.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    auto res = pending.get();
    REQUIRE_FALSE(res.ok());
    CHECK(res.error().code == Errc::cancelled);
    auto after = http.send(req);
    CHECK(after.error().code == Errc::cancelled);
}
