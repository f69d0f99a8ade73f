#include "menu/api_query.hpp"

#include <algorithm>
#include <string_view>

#include "core/error.hpp"
#include "core/id.hpp"

namespace certos::menu {
namespace {

core::Error BadWord(std::string_view word) { return core::ArgumentError("invalid query word " + std::string(word)); }

// QueryStack is the boolean stack of MT-API queries: popping below the pushed values yields true.
//
// The words come from the network, so what they build is bounded: each value knows its depth and size, no
// value may be deeper than kMaxFilterDepth, and the values on the stack together may not have more than
// kMaxFilterTerms nodes (`#.` doubles a value; without the bound 40 of them would fill the memory). Joining
// an AND with an AND (or an OR with an OR) extends it instead of nesting it, so the `?a ?b #| ?c #| ...`
// chains clients send for "any of these" stay one level deep however long they are.
class QueryStack {
public:
    void Push(Filter filter) { Push(Entry{std::move(filter), 1, 1}); }

    Filter PopFilter() { return Pop().filter; }

    void Negate() {
        Entry inner = Pop();
        Push(Entry{Filter::Not(std::move(inner.filter)), inner.depth + 1, inner.nodes + 1});
    }

    // Join pops two values and pushes their AND or OR. An operand that already is that operation takes the
    // other one as one more child (appended: AND and OR do not depend on the order of their terms), so a chain
    // of n joins costs O(n), not O(n^2).
    void Join(Filter::Op op) {
        Entry right = Pop();
        Entry left = Pop();
        if (left.filter.op != op && right.filter.op == op) {
            std::swap(left, right);
        }
        if (left.filter.op != op) {
            Entry joined{Filter{}, std::max(left.depth, right.depth) + 1, left.nodes + right.nodes + 1};
            joined.filter.op = op;
            joined.filter.children.push_back(std::move(left.filter));
            joined.filter.children.push_back(std::move(right.filter));
            return Push(std::move(joined));
        }
        if (right.filter.op == op) {
            left.depth = std::max(left.depth, right.depth);
            left.nodes += right.nodes - 1;
            for (Filter& child : right.filter.children) {
                left.filter.children.push_back(std::move(child));
            }
        } else {
            left.depth = std::max(left.depth, right.depth + 1);
            left.nodes += right.nodes;
            left.filter.children.push_back(std::move(right.filter));
        }
        Push(std::move(left));
    }

    void Duplicate(std::size_t depth) {
        Push(depth < values_.size() ? values_[values_.size() - 1 - depth] : Entry{Filter::True(), 1, 1});
    }

    Filter Result() {
        if (values_.empty()) {
            return Filter::True();
        }
        if (values_.size() == 1) {
            return PopFilter();
        }
        std::vector<Filter> all;
        for (Entry& entry : values_) {
            all.push_back(std::move(entry.filter));
        }
        values_.clear();
        Filter result = Filter::And(std::move(all));
        result.CheckBounds();  // one more level and node
        return result;
    }

private:
    struct Entry {
        Filter filter;
        std::size_t depth;  // levels of the tree, 1 for a single condition
        std::size_t nodes;  // nodes of the tree
    };

    void Push(Entry entry) {
        if (entry.depth > kMaxFilterDepth) {
            throw FilterTooDeep();
        }
        if (entry.nodes > kMaxFilterTerms - nodes_) {
            throw FilterTooLarge();
        }
        nodes_ += entry.nodes;
        values_.push_back(std::move(entry));
    }

    Entry Pop() {
        if (values_.empty()) {
            return Entry{Filter::True(), 1, 1};
        }
        Entry top = std::move(values_.back());
        values_.pop_back();
        nodes_ -= top.nodes;
        return top;
    }

    std::vector<Entry> values_;
    std::size_t nodes_ = 0;  // nodes of all values on the stack
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
            stack.Duplicate(depth);
            continue;
        }
        switch (c) {
            case '!':
                stack.Negate();
                break;
            case '&':
            case '|':
                stack.Join(c == '&' ? Filter::Op::kAnd : Filter::Op::kOr);
                break;
            case '.':
                stack.Duplicate(0);
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
