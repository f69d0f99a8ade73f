#pragma once
// The RouterOS API protocol's framing (facts §3.1): length-prefixed words, sentences ended by an empty word.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certos::api {

// Sentence is one API sentence: its words, without the terminating empty word.
using Sentence = std::vector<std::string>;

// EncodeLength appends the length prefix of a word of `length` bytes in the shortest of the five encodings:
// 1 byte up to 0x7F, 2 bytes (0x80 | ...) up to 0x3FFF, 3 bytes up to 0x1FFFFF, 4 bytes up to 0xFFFFFFF, and
// 0xF0 followed by the length as 4 big-endian bytes above that.
void EncodeLength(std::uint32_t length, std::string& out);

// EncodeSentence appends every word (length prefix and bytes) and the terminating zero-length word.
void EncodeSentence(const Sentence& sentence, std::string& out);
std::string EncodeSentence(const Sentence& sentence);

// DecodeLimits bound what one client may send.
struct DecodeLimits {
    std::size_t max_word_bytes = 1024 * 1024;          // one word
    std::size_t max_words = 1000;                      // words in one sentence
    std::size_t max_sentence_bytes = 4 * 1024 * 1024;  // all words of one sentence together
};

// SentenceDecoder turns a byte stream, fed in pieces of any size, into sentences. Empty sentences (a lone
// zero-length word) are skipped, as RouterOS does. After a violation (a control byte 0xF8..0xFF as the
// first byte of a length, or a limit exceeded) the decoder is failed for good: error() says why, in words
// fit for the `!fatal` reason, and it returns no more sentences.
class SentenceDecoder {
public:
    explicit SentenceDecoder(DecodeLimits limits = {}) : limits_(limits) {}

    // Feed consumes `bytes`; complete sentences become available through Next.
    void Feed(std::string_view bytes);
    // Next returns the oldest complete sentence not yet returned.
    std::optional<Sentence> Next();

    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    // idle is true when no part of a sentence is buffered (between sentences).
    bool idle() const { return words_.empty() && header_.empty() && !in_word_; }

private:
    void Fail(std::string reason);
    // HeaderLength is the total size of a length prefix from its first byte, 0 for a control byte.
    static std::size_t HeaderLength(unsigned char first);
    void OnWordLength(std::uint32_t length);
    void EndWord();

    DecodeLimits limits_;
    std::string error_;
    std::string header_;  // the length prefix read so far
    bool in_word_ = false;
    std::size_t remaining_ = 0;  // bytes still missing of the current word
    std::string word_;
    Sentence words_;
    std::size_t sentence_bytes_ = 0;
    std::vector<Sentence> ready_;
    std::size_t next_ready_ = 0;
};

}  // namespace certos::api
