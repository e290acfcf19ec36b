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

void TextureCache::updatePreview(const Frame& frame) {
    const int fw = static_cast<int>(frame.width);
    const int fh = static_cast<int>(frame.height);
    if (preview_.w != fw || preview_.h != fh) {
        destroy(preview_);
        preview_.tex = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB24,
                                         SDL_TEXTUREACCESS_STREAMING, fw, fh);
        preview_.w = fw;
        preview_.h = fh;
    }
    SDL_UpdateTexture(preview_.tex, nullptr, frame.rgb.data(), fw * 3);
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
    for (auto& [key, t] : photos_) {
        destroy(t);
    }
    photos_.clear();
}

}  // namespace lapor::kiosk
