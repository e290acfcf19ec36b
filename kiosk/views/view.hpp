// One view per screen: the base draw() does the frame chores (top bar with language, large text and
// read-aloud; the bottom bar with back and next; the keyboard; the idle warning); each view writes
// drawContent(). Views read the flow and call its events; they keep no state that matters.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "kiosk/flow/flow.hpp"
#include "kiosk/ui.hpp"
#include "kiosk/widgets/keyboard.hpp"

namespace lapor::kiosk {

// What views ask of the app (devices, threads); implemented by App.
class AppActions {
  public:
    virtual ~AppActions() = default;
    virtual void takePhoto() = 0;
    [[nodiscard]] virtual bool takingPhoto() const = 0;
    virtual void readAloud() = 0;
    virtual void startSave() = 0;
    // The live camera preview (nullptr when there is none) and its size.
    [[nodiscard]] virtual SDL_Texture* preview(int& w, int& h) = 0;
    // The camera's state as a catalog key when there is no preview ("camera.state.noCamera").
    [[nodiscard]] virtual std::string cameraMessageKey() const = 0;
    // A texture of draft photo i's thumbnail or full photo.
    [[nodiscard]] virtual SDL_Texture* photoTexture(std::size_t index, bool full, int& w,
                                                    int& h) = 0;
    // The printer's state as a catalog key ("kiosk.receipt.printing", "printer.state.paper_out").
    [[nodiscard]] virtual std::string printerMessageKey() const = 0;
    [[nodiscard]] virtual std::int64_t nowMs() const = 0;

    // ---- staff (the app runs each on its worker thread; kiosk/staff_desk.hpp)
    // The PIN the keypad holds, checked (Flow::beginSignIn / signInFinished).
    virtual void submitSignIn() {}
    virtual void submitPinChange() {}
    virtual void submitEnrol() {}
    // Reads the panel's state again.
    virtual void refreshPanel() {}
    virtual void retryParked(std::string uuid) { (void)uuid; }
    virtual void retryReason(std::string reason) { (void)reason; }
    // A reprint of the slip of the code typed on the panel (Flow::panelCode).
    virtual void reprint() {}
    // The printer's state for staff ("printer.state.paper_out", ...).
    [[nodiscard]] virtual std::string printerStateKey() const { return "printer.state.unknown"; }
    [[nodiscard]] virtual bool speechAvailable() const { return false; }

    // ---- a returning visitor (on the worker)
    // Looks up the code the visitor entered (Flow::beginLookup / lookupFinished).
    virtual void lookupStatus() {}
    // Stores the citizen's reply (Flow::beginReplySave / replySaved).
    virtual void saveReply() {}
    // Prints a status slip of the report on the status screen.
    virtual void printStatusSlip() {}
    // What the status screen says of the printer ("kiosk.status.print_help", a printer state).
    [[nodiscard]] virtual std::string statusSlipMessageKey() const {
        return "kiosk.status.print_help";
    }
    [[nodiscard]] virtual std::int64_t wallMs() const { return 0; }

    // ---- video clips and spoken notes (kiosk/media_desk.hpp)
    // The record button (Flow::canRecord says when), and the stop button.
    virtual void startRecording(Recording what) { (void)what; }
    virtual void stopRecording() {}
    // How long the recording under way has run.
    [[nodiscard]] virtual std::int64_t recordedMs() const { return 0; }
    // A recording is being finished (the encoder drains): its clip comes in a moment.
    [[nodiscard]] virtual bool finishingRecording() const { return false; }
    // The microphone's level now, 0 (silence) to 1.
    [[nodiscard]] virtual float micLevel() const { return 0; }
    // Why a note cannot be recorded ("mic.state.noMicrophone"), or empty.
    [[nodiscard]] virtual std::string micMessageKey() const { return {}; }
    // Plays the draft's clip or note, or stops it when it plays.
    virtual void togglePlay(Recording what) { (void)what; }
    [[nodiscard]] virtual bool playing(Recording what) const {
        (void)what;
        return false;
    }
    [[nodiscard]] virtual std::int64_t playedMs(Recording what) const {
        (void)what;
        return 0;
    }
    // The clip's frame being played, else its first frame; nullptr without a clip.
    [[nodiscard]] virtual SDL_Texture* clipTexture(int& w, int& h) {
        w = h = 0;
        return nullptr;
    }
    // Why the last playback could not be heard or seen, or empty.
    [[nodiscard]] virtual std::string playMessageKey() const { return {}; }
};

struct ViewContext {
    Flow& flow;
    Ui& ui;
    AppActions& app;
    Keyboard& keyboard;
};

class View {
  public:
    virtual ~View() = default;
    // The whole screen: bars, content, keyboard editor, idle warning.
    void draw(ViewContext& ctx);

  protected:
    virtual void drawContent(ViewContext& ctx) = 0;
    // The bottom bar's buttons; the default is back and next.
    virtual void drawFooter(ViewContext& ctx);
    // Screens with no bars (welcome, saving, receipt) say so.
    [[nodiscard]] virtual bool showTopBar() const { return true; }
    [[nodiscard]] virtual bool showFooter() const { return true; }
    // A view that shows more than one page on its screen (the place picker) names the one it
    // shows: a new page opens at its top like a new screen.
    [[nodiscard]] virtual int page() const { return 0; }

    // Width for full-width items in the content area.
    static float fullWidth();
    // The footer's two buttons: back-like on the left, `right` (when given) at the right edge.
    // Returns 1 when the left one was touched, 2 for the right one, else 0.
    static int footerPair(Ui& ui, std::string_view leftId, const std::string& leftLabel,
                          std::string_view rightId, const std::string& rightLabel, Tone rightTone);

  private:
    static void moreBelowBand(Ui& ui);
    [[nodiscard]] static std::optional<std::pair<float, float>> moreBelowSpan(const Ui& ui);
    static void downArrows(ImDrawList* dl, ImVec2 at, ImVec2 ts, ImU32 col);
    void moreBelowButton(Ui& ui, ImVec2 footerAt, float scrollTo);

    // Screen memory only (where the content scrolls next frame, how many errors showed).
    std::optional<float> scrollTo_;
    int errors_ = 0;
};

// The views, one per screen (kiosk/views/<screen>_view.cpp).
std::unique_ptr<View> makeWelcomeView();
std::unique_ptr<View> makeKindView();
std::unique_ptr<View> makeWhatView();
std::unique_ptr<View> makeWhomView();
std::unique_ptr<View> makePrivacyView();
std::unique_ptr<View> makeAboutView();
std::unique_ptr<View> makePhotosView();
std::unique_ptr<View> makeReviewView();
std::unique_ptr<View> makeSavingView();
std::unique_ptr<View> makeSaveFailedView();
std::unique_ptr<View> makeReceiptView();
std::unique_ptr<View> makeStaffSignInView();
std::unique_ptr<View> makeStaffPanelView();
std::unique_ptr<View> makeHandOverView();
std::unique_ptr<View> makeStatusCodeView();
std::unique_ptr<View> makeStatusView();
std::unique_ptr<View> makeReplyView();
std::unique_ptr<View> makeReplyReviewView();
std::unique_ptr<View> makeReplySavingView();
std::unique_ptr<View> makeReplyDoneView();
std::unique_ptr<View> makeVoiceView();

// Draws a texture fitted into `box` (keeping its aspect), centred; the box is taken either way.
void fitImage(SDL_Texture* tex, int tw, int th, ImVec2 box);

// Draws the QR code of `payload` as squares (libqrencode), `size` pixels wide, at the cursor.
void drawQr(std::string_view payload, float size);

}  // namespace lapor::kiosk
