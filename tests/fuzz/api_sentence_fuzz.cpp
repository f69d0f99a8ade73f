// libFuzzer target for the API protocol's sentence decoder (src/api/codec.cpp). The input is cut into pieces
// (sizes taken from the input itself) to exercise partial lengths and words across Feed calls; every sentence
// the decoder returns must respect the limits and survive an encode/decode round trip unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using certos::api::DecodeLimits;
    using certos::api::Sentence;
    using certos::api::SentenceDecoder;
    DecodeLimits limits;
    limits.max_word_bytes = 4096;
    limits.max_words = 64;
    limits.max_sentence_bytes = 16384;
    SentenceDecoder decoder(limits);
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t step = size > 0 ? (data[0] % 17) + 1 : 1;
    for (std::size_t pos = 0; pos < input.size(); pos += step) {
        decoder.Feed(input.substr(pos, step));
        while (std::optional<Sentence> sentence = decoder.Next()) {
            if (sentence->empty() || sentence->size() > limits.max_words) {
                std::abort();
            }
            std::size_t total = 0;
            for (const std::string& word : *sentence) {
                if (word.empty() || word.size() > limits.max_word_bytes) {
                    std::abort();
                }
                total += word.size();
            }
            if (total > limits.max_sentence_bytes) {
                std::abort();
            }
            SentenceDecoder again(limits);
            again.Feed(certos::api::EncodeSentence(*sentence));
            if (again.failed() || again.Next() != sentence || again.Next().has_value()) {
                std::abort();
            }
        }
        if (decoder.failed() && decoder.error().empty()) {
            std::abort();
        }
    }
    return 0;
}
