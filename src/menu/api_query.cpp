#include "menu/api_query.hpp"

#include <string_view>

#include "core/error.hpp"
#include "core/id.hpp"

namespace certos::menu {
namespace {

core::Error BadWord(std::string_view word) { return core::ArgumentError("invalid query word " + std::string(word)); }

// QueryStack is the boolean stack of MT-API queries: popping below the pushed values yields true.
class QueryStack {
public:
    void Push(Filter filter) { values_.push_back(std::move(filter)); }

    Filter Pop() {
        if (values_.empty()) {
            return Filter::True();
        }
        Filter top = std::move(values_.back());
        values_.pop_back();
        return top;
    }

    Filter Peek(std::size_t depth) const {
        return depth < values_.size() ? values_[values_.size() - 1 - depth] : Filter::True();
    }

    Filter Result() {
        if (values_.empty()) {
            return Filter::True();
        }
        if (values_.size() == 1) {
            return Pop();
        }
        return Filter::And(std::move(values_));
    }

private:
    std::vector<Filter> values_;
};

std::string CanonicalValue(const std::string& property, std::string value) {
    if (property == ".id") {
        if (auto id = core::ObjectId::Parse(value)) {
            return id->ToString();
        }
    }
    return value;
}

void RunOperations(std::string_view word, std::string_view ops, QueryStack& stack) {
    std::size_t i = 0;
    while (i < ops.size()) {
        char c = ops[i];
        if (c >= '0' && c <= '9') {
            std::size_t depth = 0;
            while (i < ops.size() && ops[i] >= '0' && ops[i] <= '9') {
                depth = depth * 10 + static_cast<std::size_t>(ops[i] - '0');
                if (depth > 100000) {
                    throw BadWord(word);
                }
                ++i;
            }
            stack.Push(stack.Peek(depth));
            continue;
        }
        switch (c) {
            case '!':
                stack.Push(Filter::Not(stack.Pop()));
                break;
            case '&':
            case '|': {
                Filter right = stack.Pop();
                Filter left = stack.Pop();
                std::vector<Filter> both;
                both.push_back(std::move(left));
                both.push_back(std::move(right));
                stack.Push(c == '&' ? Filter::And(std::move(both)) : Filter::Or(std::move(both)));
                break;
            }
            case '.':
                stack.Push(stack.Peek(0));
                break;
            default:
                throw BadWord(word);
        }
        ++i;
    }
}

// Comparison parses `name=x` (after an optional operator character) into a filter.
Filter Comparison(std::string_view word, std::string_view body, Filter::Op op) {
    std::size_t eq = body.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        throw BadWord(word);
    }
    std::string property(body.substr(0, eq));
    return Filter::Compare(op, property, CanonicalValue(property, std::string(body.substr(eq + 1))));
}

}  // namespace

Filter ParseApiQuery(const std::vector<std::string>& words) {
    QueryStack stack;
    for (const std::string& raw : words) {
        std::string_view word = raw;
        if (!word.empty() && word.front() == '?') {
            word.remove_prefix(1);
        }
        if (word.empty()) {
            throw BadWord(raw);
        }
        switch (word.front()) {
            case '#':
                RunOperations(raw, word.substr(1), stack);
                continue;
            case '-':
                if (word.size() == 1) {
                    throw BadWord(raw);
                }
                stack.Push(Filter::Unary(Filter::Op::kLacks, std::string(word.substr(1))));
                continue;
            case '=':
                stack.Push(Comparison(raw, word.substr(1), Filter::Op::kEq));
                continue;
            case '<':
                stack.Push(Comparison(raw, word.substr(1), Filter::Op::kLt));
                continue;
            case '>':
                stack.Push(Comparison(raw, word.substr(1), Filter::Op::kGt));
                continue;
            default:
                break;
        }
        if (word.find('=') == std::string_view::npos) {
            stack.Push(Filter::Unary(Filter::Op::kHas, std::string(word)));
        } else {
            stack.Push(Comparison(raw, word, Filter::Op::kEq));
        }
    }
    return stack.Result();
}

}  // namespace certos::menu
