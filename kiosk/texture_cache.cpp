// The kiosk's preview and photo textures (texture_cache.hpp).
#include "kiosk/texture_cache.hpp"

#include "hardware/photo.hpp"

namespace lapor::kiosk {

TextureCache::~TextureCache() {
    dropAll();
}

void TextureCache::destroy(Texture& t) {
    if (t.tex) {
        SDL_DestroyTexture(t.tex);
    }
    t = Texture{};
}

void TextureCache::stream(Texture& t, const Frame& frame) {
    const int fw = static_cast<int>(frame.width);
    const int fh = static_cast<int>(frame.height);
    if (t.w != fw || t.h != fh) {
        destroy(t);
        t.tex = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING, fw,
                                  fh);
        t.w = fw;
        t.h = fh;
    }
    SDL_UpdateTexture(t.tex, nullptr, frame.rgb.data(), fw * 3);
}

void TextureCache::updatePreview(const Frame& frame) {
    stream(preview_, frame);
}

void TextureCache::updateClip(const Frame& frame) {
    stream(clip_, frame);
}

SDL_Texture* TextureCache::clip(int& w, int& h) const {
    w = clip_.w;
    h = clip_.h;
    return clip_.tex;
}

void TextureCache::dropClip() {
    destroy(clip_);
}

SDL_Texture* TextureCache::preview(int& w, int& h) const {
    w = preview_.w;
    h = preview_.h;
    return preview_.tex;
}

void TextureCache::dropPreview() {
    destroy(preview_);
}

SDL_Texture* TextureCache::photo(const Photo& p, bool full, int& w, int& h) {
    const std::string key = p.sha256Hex + (full ? ":full" : ":thumb");
    auto it = photos_.find(key);
    if (it == photos_.end()) {
        Texture t;
        if (auto frame = decodeJpeg(p.jpeg)) {
            t.w = static_cast<int>(frame->width);
            t.h = static_cast<int>(frame->height);
            t.tex = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STATIC,
                                      t.w, t.h);
            SDL_UpdateTexture(t.tex, nullptr, frame->rgb.data(), t.w * 3);
        }
        it = photos_.emplace(key, t).first;
    }
    w = it->second.w;
    h = it->second.h;
    return it->second.tex;
}

void TextureCache::dropAll() {
    destroy(preview_);
    destroy(clip_);
    for (auto& [key, t] : photos_) {
        destroy(t);
    }
    photos_.clear();
}

}  // namespace lapor::kiosk
