// lapor-sandbox's tus 1.0 uploads, driven with raw HTTP: discovery, creation, HEAD, PATCH,
// checksums, and resuming after a connection reset without resending what the server has.
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

TEST_CASE("tus: OPTIONS lists version, extensions, size and checksum algorithms") {
    SandboxFixture f;
    auto r = f.api().Options("/v1/uploads");
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK(r->get_header_value("Lapor-Protocol") == "1");
    CHECK(r->get_header_value("Tus-Version") == "1.0.0");
    CHECK(r->get_header_value("Tus-Extension") == "creation,checksum");
    CHECK(r->get_header_value("Tus-Checksum-Algorithm") == "sha1,sha256");
    CHECK(std::stoull(r->get_header_value("Tus-Max-Size")) == 16u * 1024 * 1024);
}

TEST_CASE("tus: create, PATCH in chunks, HEAD shows the offset, upload completes") {
    SandboxFixture f;
    const std::string bytes = makeBytes(100'000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);
    CHECK(loc.rfind("/v1/uploads/", 0) == 0);
    CHECK(loc.size() == std::string("/v1/uploads/").size() + 32);
    CHECK(f.headOffset(loc) == 0);

    auto r = f.patch(loc, 0, bytes.substr(0, 40'000));
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK(r->get_header_value("Upload-Offset") == "40000");
    CHECK(f.headOffset(loc) == 40'000);

    r = f.patch(loc, 40'000, bytes.substr(40'000));
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK(r->get_header_value("Upload-Offset") == "100000");

    auto head = f.api().Head(loc.c_str(), SandboxFixture::tus());
    REQUIRE(head);
    CHECK(head->get_header_value("Upload-Length") == "100000");
    CHECK(head->get_header_value("Cache-Control") == "no-store");
    CHECK(head->get_header_value("Upload-Metadata") ==
          SandboxFixture::metadata(uuidFor(1), 0, sha256Hex(bytes)));

    const json stats = f.adminGet("/admin/stats");
    CHECK(stats["uploads_complete"] == 1);
    CHECK(stats["uploads_detail"][0]["bytes_received"] == 100'000);
    CHECK(stats["uploads_detail"][0]["patches"] == 2);
}

TEST_CASE("tus: creation is idempotent on report, index, hash and length") {
    SandboxFixture f;
    const std::string bytes = makeBytes(5000);
    const std::string a = f.createUpload(bytes, uuidFor(1), 0);
    REQUIRE(f.patch(a, 0, bytes.substr(0, 1000))->status == 204);
    const std::string b = f.createUpload(bytes, uuidFor(1), 0);
    CHECK(a == b);
    auto h = SandboxFixture::tus();
    h.emplace("Upload-Length", "5000");
    h.emplace("Upload-Metadata", SandboxFixture::metadata(uuidFor(1), 0, sha256Hex(bytes)));
    auto r = f.api().Post("/v1/uploads", h, "", "");
    REQUIRE(r);
    CHECK(r->get_header_value("Upload-Offset") == "1000");
    CHECK(f.createUpload(bytes, uuidFor(1), 1) != a);  // another photo: another upload
    CHECK(f.createUpload(bytes, uuidFor(2), 0) != a);  // another report
}

TEST_CASE("tus: PATCH at the wrong offset is 409 with the server's offset, nothing stored") {
    SandboxFixture f;
    const std::string bytes = makeBytes(3000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);
    REQUIRE(f.patch(loc, 0, bytes.substr(0, 1000))->status == 204);
    auto r = f.patch(loc, 500, bytes.substr(500, 1000));
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(json::parse(r->body)["code"] == "offset_mismatch");
    CHECK(r->get_header_value("Upload-Offset") == "1000");
    CHECK(f.headOffset(loc) == 1000);
    // The keep-alive connection still works after the rejected body.
    CHECK(f.patch(loc, 1000, bytes.substr(1000))->status == 204);
}

TEST_CASE("tus: Upload-Checksum sha1 and sha256 accepted, a mismatch is 460 and keeps nothing") {
    SandboxFixture f;
    const std::string bytes = makeBytes(4000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);

    const auto digest = [](DigestAlgorithm alg, const std::string& s) {
        Digest d(alg);
        d.update(s);
        return base64Encode(d.finish());
    };
    auto r = f.patch(
        loc, 0, bytes.substr(0, 2000),
        {{"Upload-Checksum", "sha1 " + digest(DigestAlgorithm::sha1, bytes.substr(0, 2000))}});
    REQUIRE(r);
    CHECK(r->status == 204);

    r = f.patch(
        loc, 2000, bytes.substr(2000),
        {{"Upload-Checksum", "sha256 " + digest(DigestAlgorithm::sha256, "not the chunk")}});
    REQUIRE(r);
    CHECK(r->status == 460);
    CHECK(json::parse(r->body)["code"] == "checksum_mismatch");
    CHECK(f.headOffset(loc) == 2000);

    r = f.patch(loc, 2000, bytes.substr(2000), {{"Upload-Checksum", "md5 AAAA"}});
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body)["code"] == "checksum_algorithm");

    r = f.patch(
        loc, 2000, bytes.substr(2000),
        {{"Upload-Checksum", "sha256 " + digest(DigestAlgorithm::sha256, bytes.substr(2000))}});
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK(f.adminGet("/admin/stats")["uploads_complete"] == 1);
}

TEST_CASE("tus: a complete upload whose bytes miss the declared sha256 is 460 and starts over") {
    SandboxFixture f;
    const std::string bytes = makeBytes(3000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);
    std::string corrupt = bytes;
    corrupt[1234] ^= 0x55;
    auto r = f.patch(loc, 0, corrupt);
    REQUIRE(r);
    CHECK(r->status == 460);
    CHECK(r->get_header_value("Upload-Offset") == "0");
    CHECK(f.headOffset(loc) == 0);
    CHECK(f.patch(loc, 0, bytes)->status == 204);
    CHECK(f.adminGet("/admin/stats")["uploads_complete"] == 1);
}

TEST_CASE(
    "tus: protocol errors: version 412, media type 415, unknown 404, too large 413, beyond length "
    "400") {
    SandboxFixture f;
    const std::string bytes = makeBytes(1000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);

    auto r = f.api().Patch(loc.c_str(), SandboxFixture::auth(), bytes,
                           "application/offset+octet-stream");
    REQUIRE(r);
    CHECK(r->status == 412);
    CHECK(r->get_header_value("Tus-Version") == "1.0.0");

    auto h = SandboxFixture::tus();
    h.emplace("Upload-Offset", "0");
    r = f.api().Patch(loc.c_str(), h, bytes, "application/octet-stream");
    REQUIRE(r);
    CHECK(r->status == 415);

    r = f.patch("/v1/uploads/0123456789abcdef0123456789abcdef", 0, bytes);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(json::parse(r->body)["code"] == "upload_unknown");
    r = f.api().Head("/v1/uploads/0123456789abcdef0123456789abcdef", SandboxFixture::tus());
    REQUIRE(r);
    CHECK(r->status == 404);

    auto big = SandboxFixture::tus();
    big.emplace("Upload-Length", std::to_string(17u * 1024 * 1024));
    big.emplace("Upload-Metadata", SandboxFixture::metadata(uuidFor(1), 0, sha256Hex(bytes)));
    r = f.api().Post("/v1/uploads", big, "", "");
    REQUIRE(r);
    CHECK(r->status == 413);

    auto noMeta = SandboxFixture::tus();
    noMeta.emplace("Upload-Length", "10");
    r = f.api().Post("/v1/uploads", noMeta, "", "");
    REQUIRE(r);
    CHECK(r->status == 400);

    r = f.patch(loc, 0, bytes + "extra");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(f.headOffset(loc) == 0);

    // Another device's token does not see this upload.
    r = f.api().Head(loc.c_str(), SandboxFixture::tus("device-token-2"));
    REQUIRE(r);
    CHECK(r->status == 404);
}

TEST_CASE("tus: after a reset mid-PATCH, HEAD and resume: the server gets every byte once") {
    SandboxFixture f;
    const std::string bytes = makeBytes(300'000, 7);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);
    f.fault({{"kind", "reset"}, {"after_bytes", 100'000}, {"direction", "up"}});
    auto r = f.patch(loc, 0, bytes);
    CHECK_FALSE(r);  // the connection was reset under the client

    // The server may still be taking in bytes of the broken PATCH when the HEAD arrives; then
    // the resumed PATCH meets 409 offset_mismatch and the client HEADs again, as a client must.
    auto fresh = f.makeApiClient();
    int status = 0;
    for (int attempt = 0; attempt < 5 && status != 204; ++attempt) {
        auto head = fresh->Head(loc.c_str(), SandboxFixture::tus());
        REQUIRE(head);
        const std::uint64_t offset = std::stoull(head->get_header_value("Upload-Offset"));
        CHECK(offset < 100'000);
        auto h = SandboxFixture::tus();
        h.emplace("Upload-Offset", std::to_string(offset));
        r = fresh->Patch(loc.c_str(), h, bytes.substr(offset), "application/offset+octet-stream");
        REQUIRE(r);
        status = r->status;
        CHECK((status == 204 || status == 409));
    }
    CHECK(status == 204);

    const json stats = f.adminGet("/admin/stats");
    CHECK(stats["uploads_complete"] == 1);
    CHECK(stats["uploads_detail"][0]["bytes_received"] == bytes.size());
    CHECK(stats["link"]["resets"] == 1);
}

TEST_CASE("tus: an expired upload answers 410 or 404 with a text body, and a new one is made") {
    SandboxFixture f;
    const std::string bytes = makeBytes(8000);
    const std::string a = f.createUpload(bytes, uuidFor(1), 0);
    REQUIRE(f.patch(a, 0, bytes.substr(0, 3000))->status == 204);
    const json gone = f.adminPost("/admin/uploads/expire", {{"report_uuid", uuidFor(1)}});
    REQUIRE(gone["expired"].size() == 1);
    CHECK(gone["expired"][0] == a.substr(12));
    auto head = f.api().Head(a.c_str(), SandboxFixture::tus());
    REQUIRE(head);
    CHECK(head->status == 410);
    auto r = f.patch(a, 3000, bytes.substr(3000));
    REQUIRE(r);
    CHECK(r->status == 410);
    CHECK(r->get_header_value("Content-Type") == "text/plain");
    CHECK(r->body == "The file for this url no longer exists\n");
    // Creation no longer finds the expired one: a new upload, from offset 0.
    const std::string b = f.createUpload(bytes, uuidFor(1), 0);
    CHECK(b != a);
    CHECK(f.headOffset(b) == 0);

    // As a fault: the PATCH's own upload expires as it arrives, answered 404 this time.
    f.fault({{"kind", "expire"}, {"status", 404}, {"method", "PATCH"}});
    r = f.patch(b, 0, bytes);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == "The file for this url was not found\n");
    f.restart();  // the journal remembers what expired
    head = f.api().Head(b.c_str(), SandboxFixture::tus());
    REQUIRE(head);
    CHECK(head->status == 404);
    CHECK(f.adminGet("/admin/stats")["uploads"] == 0);  // both expired
}

TEST_CASE("tus: uploads survive a restart, the offset is what is on disk") {
    SandboxFixture f;
    const std::string bytes = makeBytes(10'000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);
    REQUIRE(f.patch(loc, 0, bytes.substr(0, 6000))->status == 204);
    f.restart();
    CHECK(f.headOffset(loc) == 6000);
    REQUIRE(f.patch(loc, 6000, bytes.substr(6000))->status == 204);
    CHECK(f.adminGet("/admin/stats")["uploads_complete"] == 1);
    CHECK(std::filesystem::file_size(f.dataDir() / "uploads" / (loc.substr(12) + ".bin")) ==
          10'000);
}

TEST_CASE("tus: clips and notes are taken as video/mp4 and audio/ogg, other types and sizes not") {
    SandboxFixture f;
    auto post = [&](const std::string& type, std::uint64_t length, int index) {
        auto h = SandboxFixture::tus();
        h.emplace("Upload-Length", std::to_string(length));
        h.emplace("Upload-Metadata", SandboxFixture::metadata(uuidFor(2), index, sha256Hex("x")) +
                                         ",filetype " + base64Encode(type));
        return f.api().Post("/v1/uploads", h, "", "");
    };
    auto r = post("image/png", 1000, 0);
    REQUIRE(r);
    CHECK(r->status == 415);
    CHECK(json::parse(r->body)["code"] == "unsupported_media_type");
    CHECK(json::parse(r->body)["message"].get<std::string>().find("image/png is not taken") !=
          std::string::npos);
    r = post("audio/ogg", (4u << 20) + 1, 0);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(json::parse(r->body)["message"] == "audio/ogg uploads are at most 4 MiB");
    r = post("video/mp4", (16u << 20) + 1, 0);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(post("audio/ogg", 4u << 20, 1)->status == 201);
    CHECK(post("video/mp4", 16u << 20, 2)->status == 201);

    // A report names a photo, a clip and a note, each with its type; the type must be the
    // upload's, and the sandbox keeps each upload's type and hash for the digest.
    const std::string uuid = uuidFor(3);
    const std::string photo = makeBytes(3000), video = makeBytes(70'000), voice = makeBytes(9000);
    auto upload = [&](const std::string& bytes, int index, const std::string& type) {
        auto h = SandboxFixture::tus();
        h.emplace("Upload-Length", std::to_string(bytes.size()));
        h.emplace("Upload-Metadata", SandboxFixture::metadata(uuid, index, sha256Hex(bytes)) +
                                         ",filetype " + base64Encode(type));
        auto created = f.api().Post("/v1/uploads", h, "", "");
        REQUIRE(created);
        REQUIRE(created->status == 201);
        const std::string loc = created->get_header_value("Location");
        REQUIRE(f.patch(loc, 0, bytes)->status == 204);
        return json{
            {"upload", loc}, {"sha256", sha256Hex(bytes)}, {"bytes", bytes.size()}, {"type", type}};
    };
    json media = json::array({upload(photo, 0, "image/jpeg"), upload(video, 1, "video/mp4"),
                              upload(voice, 2, "audio/ogg")});
    json wrong = media;
    wrong[2]["type"] = "video/mp4";
    r = f.postReport(uuid, SandboxFixture::reportBody(wrong));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(json::parse(r->body)["code"] == "photo_mismatch");
    json bad = media;
    bad[1]["type"] = "application/pdf";
    r = f.postReport(uuid, SandboxFixture::reportBody(bad));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(r->body.find("photos[1].type") != std::string::npos);
    r = f.postReport(uuid, SandboxFixture::reportBody(media));
    REQUIRE(r);
    CHECK_MESSAGE(r->status == 201, r->body);
    const json stats = f.adminGet("/admin/stats");
    int seen = 0;
    for (const auto& u : stats["uploads_detail"]) {
        if (u["report_uuid"] != uuid) {
            continue;
        }
        ++seen;
        const int i = u["photo_index"];
        CHECK(u["complete"] == true);
        CHECK(u["filetype"] == media[i]["type"]);
        CHECK(u["sha256"] == media[i]["sha256"]);
    }
    CHECK(seen == 3);
}

}  // namespace lapor::sandbox::test
