// The editor's typing rules (kiosk/widgets/keyboard): nothing cut or dropped unseen; limits count
// what the visitor counts; phone and NIK normalized as they are typed.
#include <doctest/doctest.h>

#include "core/validation.hpp"
#include "kiosk/widgets/keyboard.hpp"

using namespace lapor;
using namespace lapor::kiosk;

namespace {

Editing field(InputRule rule, std::size_t max) {
    Editing e;
    e.rule = rule;
    e.maxLength = max;
    e.numeric = rule != InputRule::text;
    return e;
}

// One key at a time, as the on-screen keyboard or a physical keyboard sends them.
void typeEach(Editing& e, std::string_view keys) {
    for (const char c : keys) {
        (void)typeInto(e, std::string_view(&c, 1));
    }
}

}  // namespace

TEST_CASE("phone: '+62 812-3456-7890' typed key by key keeps every digit") {
    Editing e = field(InputRule::phone, ReportLimits::phoneDigitsMax);
    typeEach(e, "+62 812-3456-7890");
    CHECK(e.value == "+6281234567890");
    CHECK_FALSE(e.notice);
    CHECK(inputCount(e) == 13);
    CHECK(normalizePhone(e.value).value == "+6281234567890");
    // Pasted or typed in one go (SDL text input) the same.
    Editing pasted = field(InputRule::phone, ReportLimits::phoneDigitsMax);
    CHECK(typeInto(pasted, "(+62) 812.3456.7890"));
    CHECK(pasted.value == "+6281234567890");
}

TEST_CASE("phone: what the field does not take is refused with a message, never dropped unseen") {
    Editing e = field(InputRule::phone, ReportLimits::phoneDigitsMax);
    typeEach(e, "0812");
    CHECK_FALSE(typeInto(e, "a"));
    REQUIRE(e.notice);
    CHECK(e.notice->key == "kiosk.field.phone_chars");
    CHECK(e.value == "0812");
    CHECK_FALSE(typeInto(e, "+"));
    CHECK(e.notice->key == "kiosk.field.phone_plus");
    // A run with one bad character goes in not at all (not partly).
    CHECK_FALSE(typeInto(e, "3456x"));
    CHECK(e.value == "0812");
    CHECK(typeInto(e, "3"));
    CHECK_FALSE(e.notice);  // acted on: the message goes
    // The limit counts digits; the digit beyond it is refused with a message.
    Editing full = field(InputRule::phone, ReportLimits::phoneDigitsMax);
    typeEach(full, "+62 0812 3456 7890 1");
    CHECK(inputCount(full) == 15);
    CHECK_FALSE(full.notice);
    CHECK_FALSE(typeInto(full, "2"));
    REQUIRE(full.notice);
    CHECK(full.notice->key == "kiosk.field.limit_digits");
    CHECK(full.notice->args.at(0).second == "15");
    CHECK(full.value == "+620812345678901");
}

TEST_CASE("NIK: grouping spaces go, 16 digits, a 17th refused with a message") {
    Editing e = field(InputRule::nik, ReportLimits::nikDigits);
    CHECK(typeInto(e, "3201 0112 3456 0001"));
    CHECK(e.value == "3201011234560001");
    CHECK(inputCount(e) == 16);
    CHECK_FALSE(typeInto(e, "7"));
    REQUIRE(e.notice);
    CHECK(e.notice->key == "kiosk.field.limit_digits");
    CHECK(e.value == "3201011234560001");
    backspace(e);
    CHECK_FALSE(e.notice);
    CHECK_FALSE(typeInto(e, "-"));
    CHECK(e.notice->key == "kiosk.field.digits_only");
}

TEST_CASE("text: the limit counts characters, not bytes, and says when it is reached") {
    Editing e = field(InputRule::text, 5);
    CHECK(typeInto(e, "\xC3\xA9t\xC3\xA9"));  // "été": 3 characters, 5 bytes
    CHECK(inputCount(e) == 3);
    CHECK(typeInto(e, "s!"));
    CHECK(e.value == "\xC3\xA9t\xC3\xA9s!");
    CHECK_FALSE(typeInto(e, "x"));
    REQUIRE(e.notice);
    CHECK(e.notice->key == "kiosk.field.limit");
    // A paste longer than what is left is refused whole, with the message: not cut.
    Editing t = field(InputRule::text, ReportLimits::titleMax);
    const std::string long150(150, 'a');
    CHECK(typeInto(t, long150));
    Editing u = field(InputRule::text, ReportLimits::titleMax);
    CHECK(typeInto(u, "abc"));
    CHECK_FALSE(typeInto(u, long150));
    CHECK(u.value == "abc");
    CHECK(u.notice->key == "kiosk.field.limit");
}

TEST_CASE("counters: characters for text, digits for NIK and phone") {
    Editing title = field(InputRule::text, ReportLimits::titleMax);
    (void)typeInto(title, "Jalan rusak");
    const Text c = counterText(title);
    CHECK(c.key == "kiosk.field.count");
    CHECK(substitute("{count}/{max}", c.args) == "11/150");
    Editing phone = field(InputRule::phone, ReportLimits::phoneDigitsMax);
    (void)typeInto(phone, "+62 812");
    CHECK(counterText(phone).key == "kiosk.field.count_digits");
    CHECK(substitute("{count}/{max}", counterText(phone).args) == "5/15");
}
