#include "api/codec.hpp"

#include <algorithm>

namespace certos::api {

void EncodeLength(std::uint32_t length, std::string& out) {
    auto byte = [&out](std::uint32_t value) { out.push_back(static_cast<char>(value & 0xFF)); };
    if (length < 0x80) {
        byte(length);
    } else if (length < 0x4000) {
        length |= 0x8000;
        byte(length >> 8);
        byte(length);
    } else if (length < 0x200000) {
        length |= 0xC00000;
        byte(length >> 16);
        byte(length >> 8);
        byte(length);
    } else if (length < 0x10000000) {
        length |= 0xE0000000;
        byte(length >> 24);
        byte(length >> 16);
        byte(length >> 8);
        byte(length);
    } else {
        byte(0xF0);
        byte(length >> 24);
        byte(length >> 16);
        byte(length >> 8);
        byte(length);
    }
}

void EncodeSentence(const Sentence& sentence, std::string& out) {
    for (const std::string& word : sentence) {
        EncodeLength(static_cast<std::uint32_t>(word.size()), out);
        out += word;
    }
    out.push_back('\0');
}

std::string EncodeSentence(const Sentence& sentence) {
    std::string out;
    EncodeSentence(sentence, out);
    return out;
}

std::size_t SentenceDecoder::HeaderLength(unsigned char first) {
    if (first < 0x80) {
        return 1;
    }
    if (first < 0xC0) {
        return 2;
    }
    if (first < 0xE0) {
        return 3;
    }
    if (first < 0xF0) {
        return 4;
    }
    if (first == 0xF0) {
        return 5;
    }
    return 0;  // 0xF1..0xF7 are unused encodings, 0xF8..0xFF control bytes: neither is a length
}

void SentenceDecoder::Fail(std::string reason) {
    if (error_.empty()) {
        error_ = std::move(reason);
    }
    words_.clear();
    word_.clear();
    header_.clear();
}

void SentenceDecoder::Feed(std::string_view bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size() && !failed()) {
        if (in_word_) {
            std::size_t take = std::min(remaining_, bytes.size() - pos);
            word_.append(bytes.substr(pos, take));
            pos += take;
            remaining_ -= take;
            if (remaining_ == 0) {
                EndWord();
            }
            continue;
        }
        header_.push_back(bytes[pos++]);
        auto first = static_cast<unsigned char>(header_[0]);
        std::size_t need = HeaderLength(first);
        if (need == 0) {
            Fail("invalid word length byte");
            return;
        }
        if (header_.size() < need) {
            continue;
        }
        std::uint32_t length = 0;
        if (need == 5) {
            for (std::size_t i = 1; i < 5; ++i) {
                length = (length << 8) | static_cast<unsigned char>(header_[i]);
            }
        } else {
            static constexpr std::uint32_t kMasks[] = {0x7F, 0x3FFF, 0x1FFFFF, 0xFFFFFFF};
            for (char c : header_) {
                length = (length << 8) | static_cast<unsigned char>(c);
            }
            length &= kMasks[need - 1];
        }
        header_.clear();
        OnWordLength(length);
    }
}

void SentenceDecoder::OnWordLength(std::uint32_t length) {
    if (length == 0) {
        if (!words_.empty()) {
            ready_.push_back(std::move(words_));
            words_.clear();
            sentence_bytes_ = 0;
        }
        return;  // an empty sentence is ignored
    }
    if (length > limits_.max_word_bytes) {
        Fail("word too long");
        return;
    }
    if (words_.size() >= limits_.max_words) {
        Fail("too many words in sentence");
        return;
    }
    if (sentence_bytes_ + length > limits_.max_sentence_bytes) {
        Fail("sentence too long");
        return;
    }
    sentence_bytes_ += length;
    in_word_ = true;
    remaining_ = length;
    word_.clear();
    word_.reserve(std::min<std::size_t>(length, 64 * 1024));  // grow as bytes arrive, not as announced
}

void SentenceDecoder::EndWord() {
    in_word_ = false;
    words_.push_back(std::move(word_));
    word_.clear();
}

std::optional<Sentence> SentenceDecoder::Next() {
    if (next_ready_ >= ready_.size()) {
        ready_.clear();
        next_ready_ = 0;
        return std::nullopt;
    }
    return std::move(ready_[next_ready_++]);
}

}  // namespace certos::api
