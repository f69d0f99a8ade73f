#include "api/codec.hpp"

#include <gtest/gtest.h>

namespace certos::api {
namespace {

std::string Hex(const std::string& bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

std::string Length(std::uint32_t length) {
    std::string out;
    EncodeLength(length, out);
    return out;
}

TEST(CodecTest, EveryEncodingBoundary) {
    EXPECT_EQ(Hex(Length(0)), "00");
    EXPECT_EQ(Hex(Length(0x7F)), "7f");
    EXPECT_EQ(Hex(Length(0x80)), "8080");
    EXPECT_EQ(Hex(Length(0x3FFF)), "bfff");
    EXPECT_EQ(Hex(Length(0x4000)), "c04000");
    EXPECT_EQ(Hex(Length(0x1FFFFF)), "dfffff");
    EXPECT_EQ(Hex(Length(0x200000)), "e0200000");
    EXPECT_EQ(Hex(Length(0xFFFFFFF)), "efffffff");
    EXPECT_EQ(Hex(Length(0x10000000)), "f010000000");
    EXPECT_EQ(Hex(Length(0xFFFFFFFF)), "f0ffffffff");
}

// Decode feeds a length prefix plus that many bytes and returns the one word decoded.
std::string RoundTrip(std::size_t size, std::size_t chunk) {
    DecodeLimits limits;
    limits.max_word_bytes = limits.max_sentence_bytes = 0x300000;
    SentenceDecoder decoder(limits);
    std::string bytes = EncodeSentence({std::string(size, 'x')});
    for (std::size_t i = 0; i < bytes.size(); i += chunk) {
        decoder.Feed(std::string_view(bytes).substr(i, chunk));
    }
    EXPECT_FALSE(decoder.failed()) << decoder.error();
    std::optional<Sentence> sentence = decoder.Next();
    EXPECT_TRUE(sentence.has_value());
    return sentence && sentence->size() == 1 ? (*sentence)[0] : "";
}

TEST(CodecTest, DecodesEachEncodingWhole) {
    for (std::size_t size : {1u, 0x7Fu, 0x80u, 0x3FFFu, 0x4000u, 0x1FFFFFu, 0x200000u}) {
        EXPECT_EQ(RoundTrip(size, 1 << 30).size(), size) << size;
    }
}

TEST(CodecTest, DecodesByteByByte) {
    for (std::size_t size : {1u, 0x7Fu, 0x80u, 0x3FFFu, 0x4000u}) {
        EXPECT_EQ(RoundTrip(size, 1).size(), size) << size;
    }
    EXPECT_EQ(RoundTrip(0x200000, 7).size(), 0x200000u);
}

TEST(CodecTest, DecodesTheFiveByteForm) {
    // 0xF0 + 4 bytes may announce a short word too; a decoder must accept it (librouteros never sends it).
    SentenceDecoder decoder;
    decoder.Feed(
        std::string("\xF0\x00\x00\x00\x03"
                    "abc\x00",
                    9));
    ASSERT_FALSE(decoder.failed());
    EXPECT_EQ(decoder.Next(), (Sentence{"abc"}));
}

TEST(CodecTest, SeveralSentencesInOneFeedAndEmptySentencesSkipped) {
    SentenceDecoder decoder;
    std::string bytes = EncodeSentence({"/login", "=name=admin", "=password="});
    bytes.push_back('\0');  // an empty sentence
    bytes += EncodeSentence({"/quit"});
    decoder.Feed(bytes);
    EXPECT_EQ(decoder.Next(), (Sentence{"/login", "=name=admin", "=password="}));
    EXPECT_EQ(decoder.Next(), (Sentence{"/quit"}));
    EXPECT_EQ(decoder.Next(), std::nullopt);
    EXPECT_TRUE(decoder.idle());
}

TEST(CodecTest, PartialInputWaits) {
    SentenceDecoder decoder;
    std::string bytes = EncodeSentence({"/certificate/print"});
    decoder.Feed(bytes.substr(0, 5));
    EXPECT_EQ(decoder.Next(), std::nullopt);
    EXPECT_FALSE(decoder.idle());
    decoder.Feed(bytes.substr(5));
    EXPECT_EQ(decoder.Next(), (Sentence{"/certificate/print"}));
}

TEST(CodecTest, ControlBytesFail) {
    for (int first : {0xF1, 0xF7, 0xF8, 0xFF}) {
        SentenceDecoder decoder;
        decoder.Feed(std::string(1, static_cast<char>(first)));
        EXPECT_TRUE(decoder.failed()) << first;
        EXPECT_EQ(decoder.Next(), std::nullopt);
    }
}

TEST(CodecTest, FourGigabyteLengthFailsAtOnce) {
    SentenceDecoder decoder;
    decoder.Feed(std::string("\xF0\xFF\xFF\xFF\xFF", 5));
    EXPECT_TRUE(decoder.failed());
    EXPECT_EQ(decoder.error(), "word too long");
}

TEST(CodecTest, LimitsOnWordsAndSentenceSize) {
    DecodeLimits limits;
    limits.max_words = 3;
    SentenceDecoder words(limits);
    words.Feed(EncodeSentence({"a", "b", "c"}));
    EXPECT_FALSE(words.failed());
    words.Feed(EncodeSentence({"a", "b", "c", "d"}));
    EXPECT_EQ(words.error(), "too many words in sentence");
    EXPECT_EQ(words.Next(), (Sentence{"a", "b", "c"}));  // what came before the violation still counts
    EXPECT_EQ(words.Next(), std::nullopt);

    limits = DecodeLimits{};
    limits.max_sentence_bytes = 10;
    SentenceDecoder size(limits);
    size.Feed(EncodeSentence({"12345", "123456"}));
    EXPECT_EQ(size.error(), "sentence too long");
}

TEST(CodecTest, FailedDecoderIgnoresMoreInput) {
    SentenceDecoder decoder;
    decoder.Feed("\xFF");
    decoder.Feed(EncodeSentence({"/quit"}));
    EXPECT_EQ(decoder.Next(), std::nullopt);
}

}  // namespace
}  // namespace certos::api
