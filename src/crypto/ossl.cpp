#include "crypto/ossl.hpp"

#include "core/error.hpp"

namespace certos::crypto {

std::string OpenSslErrors() {
    std::string out;
    unsigned long code = 0;
    char buf[256];
    while ((code = ERR_get_error()) != 0) {
        ERR_error_string_n(code, buf, sizeof buf);
        if (!out.empty()) {
            out += "; ";
        }
        out += buf;
    }
    return out;
}

void ThrowOpenSsl(std::string_view context) {
    std::string errors = OpenSslErrors();
    std::string text(context);
    if (!errors.empty()) {
        text += ": " + errors;
    }
    throw core::Failure(text);
}

UniquePtr<BIO> MemBio(std::string_view data) {
    // BIO_new_mem_buf refuses a null pointer, which an empty string_view may carry.
    UniquePtr<BIO> bio(BIO_new_mem_buf(data.empty() ? "" : data.data(), static_cast<int>(data.size())));
    if (!bio) {
        ThrowOpenSsl("allocating memory BIO");
    }
    return bio;
}

std::string BioContents(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace certos::crypto
