// The textures the kiosk draws pictures from: the live camera preview, and the draft's photos by
// their hash (decoded once). A wipe drops them all, so nothing of a visitor stays in video memory.
#pragma once

#include <SDL.h>

#include <map>
#include <string>

#include "core/report.hpp"
#include "hardware/camera.hpp"

namespace lapor::kiosk {

class TextureCache {
  public:
    explicit TextureCache(SDL_Renderer* renderer) : renderer_(renderer) {}
    ~TextureCache();
    TextureCache(const TextureCache&) = delete;
    TextureCache& operator=(const TextureCache&) = delete;

    // The newest preview frame into the streaming texture (made again when the size changes).
    void updatePreview(const Frame& frame);
    // The preview texture (nullptr when there is none) and its size.
    [[nodiscard]] SDL_Texture* preview(int& w, int& h) const;
    [[nodiscard]] bool hasPreview() const { return preview_.tex != nullptr; }
    void dropPreview();  // never show an old frame when the preview comes back
    // The frame of a clip being played (a streaming texture like the preview's).
    void updateClip(const Frame& frame);
    [[nodiscard]] SDL_Texture* clip(int& w, int& h) const;
    void dropClip();
    // A texture of `photo` (the full photo or its thumbnail), decoded from its JPEG on first use.
    [[nodiscard]] SDL_Texture* photo(const Photo& photo, bool full, int& w, int& h);
    void dropAll();

  private:
    struct Texture {
        SDL_Texture* tex = nullptr;
        int w = 0;
        int h = 0;
    };
    static void destroy(Texture& t);
    // The frame into `t`, made again when the size changed.
    void stream(Texture& t, const Frame& frame);

    SDL_Renderer* renderer_;
    Texture preview_;
    Texture clip_;
    std::map<std::string, Texture> photos_;  // by "<sha256>:full" or "<sha256>:thumb"
};

}  // namespace lapor::kiosk
