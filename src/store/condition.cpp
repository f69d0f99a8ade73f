#include <utility>

#include "store/store.hpp"

namespace certos::store {

CertificateCondition CertificateCondition::False() {
    CertificateCondition condition;
    condition.op = Op::kFalse;
    return condition;
}

CertificateCondition CertificateCondition::IsNull(CertificateField field) {
    CertificateCondition condition;
    condition.op = Op::kIsNull;
    condition.field = field;
    return condition;
}

CertificateCondition CertificateCondition::Compare(Op op, CertificateField field, std::string text) {
    CertificateCondition condition;
    condition.op = op;
    condition.field = field;
    condition.text = std::move(text);
    return condition;
}

CertificateCondition CertificateCondition::Compare(Op op, CertificateField field, std::int64_t number) {
    CertificateCondition condition;
    condition.op = op;
    condition.field = field;
    condition.number = number;
    return condition;
}

CertificateCondition CertificateCondition::Not(CertificateCondition inner) {
    CertificateCondition condition;
    condition.op = Op::kNot;
    condition.children.push_back(std::move(inner));
    return condition;
}

CertificateCondition CertificateCondition::And(std::vector<CertificateCondition> children) {
    CertificateCondition condition;
    condition.op = Op::kAnd;
    condition.children = std::move(children);
    return condition;
}

CertificateCondition CertificateCondition::Or(std::vector<CertificateCondition> children) {
    CertificateCondition condition;
    condition.op = Op::kOr;
    condition.children = std::move(children);
    return condition;
}

namespace {
std::string Find(const std::map<std::string, std::string>& props, const std::string& name, std::string_view fallback) {
    auto it = props.find(name);
    return it == props.end() ? std::string(fallback) : it->second;
}
}  // namespace

std::string Prop(const CertificateRow& row, const std::string& name, std::string_view fallback) {
    return Find(row.props, name, fallback);
}

std::string Prop(const ItemRow& row, const std::string& name, std::string_view fallback) {
    return Find(row.props, name, fallback);
}

}  // namespace certos::store
