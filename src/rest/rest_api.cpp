#include "rest/rest_api.hpp"

#include <algorithm>
#include <memory>

#include "core/error.hpp"
#include "core/id.hpp"
#include "core/value.hpp"
#include "menu/login_cache.hpp"  // SameSecret
#include "rest/error_table.hpp"
#include "rest/json_mapping.hpp"
#include "rest/route.hpp"

namespace certos::rest {
namespace {

constexpr const char* kLoginKey = "rest.login";

// CachedLogin is a connection's successful login (facts §2: RouterOS logs one "logged in via rest-api" line
// per keep-alive connection). Later requests must carry the same Authorization header to use it.
struct CachedLogin {
    std::string authorization;
    menu::Session session;
    std::chrono::steady_clock::time_point at;
};

core::Error Unauthorized() {
    return core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
}

net::HttpResponse JsonResponse(std::string body) {
    net::HttpResponse response;
    response.body = std::move(body);
    return response;
}

net::HttpResponse NotFound() { return StatusResponse(404); }

std::string CanonicalId(std::string value) {
    if (auto id = core::ObjectId::Parse(value)) {
        return id->ToString();
    }
    return value;
}

// Printing with a proplist still returns `.id` (facts §2: "on 7.23.7 .id is always included").
std::vector<std::string> WithId(std::vector<std::string> proplist) {
    if (!proplist.empty() && std::find(proplist.begin(), proplist.end(), ".id") == proplist.end()) {
        proplist.insert(proplist.begin(), ".id");
    }
    return proplist;
}

// LoggedError is the response to an error of a command; an internal one is also logged (system,error).
net::HttpResponse LoggedError(const LogSink& log, const core::Error& error) {
    if (error.category() == core::ErrorCategory::kInternal && log) {
        log("system,error", "rest-api: internal error: " + std::string(error.what()));
    }
    return ErrorResponse(error);
}

class Runner {
public:
    Runner(const menu::Tree& tree, const menu::Session& session, const menu::Menu& menu)
        : tree_(tree), session_(session), menu_(menu) {}

    menu::Request Make(std::string verb, std::vector<std::pair<std::string, std::string>> args = {},
                       std::optional<menu::Filter> filter = std::nullopt,
                       std::vector<std::string> proplist = {}) const {
        menu::Request request;
        request.path = menu_.path;
        request.verb = std::move(verb);
        request.args = std::move(args);
        request.filter = std::move(filter);
        request.proplist = std::move(proplist);
        return request;
    }

    menu::Result Execute(const menu::Request& request) const { return tree_.Execute(request, session_); }

    menu::Result Run(std::string verb, std::vector<std::pair<std::string, std::string>> args = {},
                     std::optional<menu::Filter> filter = std::nullopt, std::vector<std::string> proplist = {}) const {
        return tree_.Execute(Make(std::move(verb), std::move(args), std::move(filter), std::move(proplist)), session_);
    }

    // Streamed answers `request` with a body written as the tree reads the rows (net::HttpResponse::stream):
    // a JSON array, one element per row. When the verb streams no rows, the body is `render` of its result,
    // as an unstreamed request's. An error before the first part of the body left is answered as usual;
    // one after it cuts the connection (net::BodyWriter::Replace): the status cannot change any more.
    net::HttpResponse Streamed(menu::Request request, std::function<std::string(const menu::Result&)> render,
                               const LogSink& log) const {
        net::HttpResponse response;
        response.stream = [&tree = tree_, session = session_, request = std::move(request), render = std::move(render),
                           log](net::BodyWriter& out) mutable {
            // The rows are written into one buffer and handed on in parts of kPartBytes (one write per row
            // made a string and a serializer per row).
            constexpr std::size_t kPartBytes = 64 * 1024;
            std::size_t rows = 0;
            RecordJsonBuffer buffer;
            auto flush = [&] {
                out.Write(buffer.text());
                buffer.text().clear();
            };
            session.rows = [&](menu::Record&& row) {
                buffer.Append(rows++ == 0 ? "[" : ",");
                buffer.Append(row);
                if (buffer.text().size() >= kPartBytes) {
                    flush();
                }
            };
            try {
                menu::Result result = tree.Execute(request, session);
                if (rows == 0) {
                    out.Write(render(result));
                    return;
                }
                for (const menu::Record& record : result.records) {
                    buffer.Append(",");
                    buffer.Append(record);
                }
                buffer.Append("]");
                flush();
            } catch (const core::Error& e) {
                out.Replace(LoggedError(log, e));
            }
        };
        return response;
    }

    // Fetch returns the item `*ID` or name through print, nullopt when there is none.
    std::optional<menu::Record> Fetch(const std::string& item, std::vector<std::string> proplist = {}) const {
        bool by_id = core::ObjectId::Parse(item).has_value();
        menu::Filter filter = menu::Filter::Compare(menu::Filter::Op::kEq, by_id ? ".id" : "name", item);
        menu::Result result = Run("print", {}, std::move(filter), WithId(std::move(proplist)));
        if (result.records.empty()) {
            return std::nullopt;
        }
        return std::move(result.records.front());
    }

private:
    const menu::Tree& tree_;
    const menu::Session& session_;
    const menu::Menu& menu_;
};

std::string ResultJson(const menu::Result& result) {
    if (!result.records.empty()) {
        return RecordsJson(result.records);
    }
    if (result.ret) {
        return RetJson(*result.ret);
    }
    return "[]";
}

net::HttpResponse RenderResult(const menu::Result& result) { return JsonResponse(ResultJson(result)); }

net::HttpResponse Print(const Runner& runner, const menu::Menu& menu, std::string_view query_text, const LogSink& log) {
    auto query = net::ParseQuery(query_text);
    if (!query) {
        throw core::ArgumentError("invalid query string");
    }
    std::vector<menu::Filter> terms;
    std::vector<std::string> proplist;
    for (auto& [name, value] : *query) {
        if (name == ".proplist") {
            proplist = core::SplitList(value);
        } else {
            terms.push_back(
                menu::Filter::Compare(menu::Filter::Op::kEq, name, name == ".id" ? CanonicalId(value) : value));
        }
    }
    std::optional<menu::Filter> filter;
    if (!terms.empty()) {
        filter = menu::Filter::And(std::move(terms));
    }
    menu::Request print = runner.Make("print", {}, std::move(filter), WithId(std::move(proplist)));
    if (menu.layout.single_entry) {
        menu::Result result = runner.Execute(print);
        return JsonResponse(result.records.size() == 1 ? RecordJson(result.records.front())
                                                       : RecordsJson(result.records));
    }
    return runner.Streamed(
        std::move(print), [](const menu::Result& result) { return RecordsJson(result.records); }, log);
}

std::vector<std::string> QueryProplist(std::string_view query_text) {
    auto query = net::ParseQuery(query_text);
    if (!query) {
        throw core::ArgumentError("invalid query string");
    }
    for (auto& [name, value] : *query) {
        if (name == ".proplist") {
            return core::SplitList(value);
        }
    }
    return {};
}

}  // namespace

RestApi::RestApi(const menu::Tree& tree, RestOptions options) : tree_(tree), options_(std::move(options)) {}

net::HttpResponse RestApi::Handle(const net::HttpRequest& request) const {
    if (request.method == "HEAD") {
        return StatusResponse(501);
    }
    return Authenticated(request, [&](const menu::Session& session) { return Serve(request, session); });
}

net::HttpResponse RestApi::Authenticated(const net::HttpRequest& request, const Responder& serve) const {
    try {
        menu::Session session = Login(request);
        return serve(session);
    } catch (const core::Error& e) {
        return LoggedError(options_.log, e);
    } catch (const std::exception& e) {
        if (options_.log) {
            options_.log("system,error", "rest-api: internal error: " + std::string(e.what()));
        }
        return ErrorResponse(core::Error(core::ErrorCategory::kInternal, e.what()));
    }
}

menu::Session RestApi::Login(const net::HttpRequest& request) const {
    std::optional<std::string_view> header = request.Header("Authorization");
    if (!header) {
        throw Unauthorized();
    }
    std::optional<net::BasicCredentials> credentials = net::ParseBasicAuth(*header);
    if (!credentials) {
        throw Unauthorized();
    }
    auto now = std::chrono::steady_clock::now();
    if (request.connection) {
        auto cached = request.connection->Get<CachedLogin>(kLoginKey);
        if (cached && now - cached->at < options_.session_lifetime &&
            menu::SameSecret(cached->authorization, *header)) {
            menu::Session session = cached->session;
            if (!options_.refresh || options_.refresh(session)) {
                if (session.grant != cached->session.grant) {  // refreshed: remember the new state
                    auto login = std::make_shared<CachedLogin>(*cached);
                    login->session = session;
                    request.connection->Put(kLoginKey, std::move(login));
                }
                return session;
            }
            // No longer valid (the user changed): the credentials are checked again.
        }
    }
    std::string address = request.connection ? request.connection->remote_address() : std::string();
    if (!options_.authenticate) {
        throw Unauthorized();
    }
    menu::Session session = options_.authenticate(credentials->user, credentials->password, address);
    session.via = "rest-api";
    session.address = address;
    if (request.connection) {
        request.connection->MarkAuthenticated();
        auto login = std::make_shared<CachedLogin>();
        login->authorization = std::string(*header);
        login->session = session;
        login->at = now;
        request.connection->Put(kLoginKey, std::move(login));
    }
    return session;
}

net::HttpResponse RestApi::Serve(const net::HttpRequest& request, const menu::Session& session) const {
    std::string_view path = request.path;
    if (path.starts_with(kPrefix)) {
        path.remove_prefix(kPrefix.size());
    }
    RestRoute route = ResolveRoute(tree_, request.method, path);
    const menu::Menu& menu = *route.menu;
    Runner runner(tree_, session, menu);
    net::HttpResponse response;
    switch (route.action) {
        case RestAction::kPrint:
            return Print(runner, menu, request.query, options_.log);
        case RestAction::kGet: {
            std::optional<menu::Record> record = runner.Fetch(route.item, QueryProplist(request.query));
            return record ? JsonResponse(RecordJson(*record)) : NotFound();
        }
        case RestAction::kAdd: {
            BodyArguments body = ParseBody(request.body);
            std::optional<std::string> name;
            for (const auto& [key, value] : body.args) {
                if (key == "name") {
                    name = value;
                }
            }
            menu::Result added = runner.Run("add", std::move(body.args), std::move(body.filter));
            std::optional<menu::Record> record;
            if (added.ret && core::ObjectId::Parse(*added.ret)) {
                record = runner.Fetch(*added.ret);
            } else if (name) {
                record = runner.Fetch(*name);
            }
            response = record ? JsonResponse(RecordJson(*record)) : RenderResult(added);
            break;
        }
        case RestAction::kSet: {
            BodyArguments body = ParseBody(request.body);
            if (route.item.empty()) {  // a single-entry menu
                runner.Run("set", std::move(body.args), std::move(body.filter));
                menu::Result now = runner.Run("print");
                response = now.records.empty() ? JsonResponse("[]") : JsonResponse(RecordJson(now.records.front()));
                break;
            }
            std::optional<menu::Record> before = runner.Fetch(route.item);
            if (!before) {
                return NotFound();
            }
            std::string id = before->GetOr(".id", route.item);
            body.args.emplace_back("numbers", id);
            runner.Run("set", std::move(body.args), std::move(body.filter));
            std::optional<menu::Record> after = runner.Fetch(id);
            response = after ? JsonResponse(RecordJson(*after)) : NotFound();
            break;
        }
        case RestAction::kRemove: {
            // A menu without remove (a single-entry menu such as /certificate/settings, /log) answers 406
            // whatever the item (docs/rest.md).
            if (menu.FindVerb("remove") == nullptr || route.item.empty()) {
                return StatusResponse(406, "no such command or directory (remove)");
            }
            std::optional<menu::Record> existing = runner.Fetch(route.item);
            if (!existing) {
                return NotFound();
            }
            runner.Run("remove", {{"numbers", existing->GetOr(".id", route.item)}});
            response.content_type.clear();  // success is an empty body (facts §2)
            break;
        }
        case RestAction::kCommand: {
            BodyArguments body = ParseBody(request.body);
            menu::Request command =
                runner.Make(route.verb, std::move(body.args), std::move(body.filter), std::move(body.proplist));
            if (route.verb == "print" && !menu.layout.single_entry) {
                return runner.Streamed(std::move(command), ResultJson, options_.log);  // POST .../print
            }
            response = RenderResult(runner.Execute(command));
            break;
        }
    }
    return response;  // each change was audited by the tree (menu/audit.hpp)
}

}  // namespace certos::rest
