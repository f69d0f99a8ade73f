// certos: the console on the local store (like a router's terminal).
//   certos [--data DIR] [--store URL]               interactive console
//   certos [--data DIR] [--store URL] -c 'COMMAND'  run one console line
//   certos [--data DIR] [--store URL] FILE.rsc      run a script, stopping at the first error
//   certos serve [--data DIR] [--store URL]         the daemon: /ip service listeners and the REST API
// --store defaults to sqlite:DIR (store::OpenStore); the master key, /file and the console history stay in DIR.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "console/console.hpp"
#include "core/error.hpp"
#include "daemon/daemon.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/menus.hpp"
#include "store/files.hpp"
#include "store/open.hpp"

namespace {

int RunConsole(const std::filesystem::path& data_dir, const std::string& store_url, const std::string& command,
               const std::string& script) {
    std::unique_ptr<certos::store::Store> store = certos::store::OpenStore(store_url, {data_dir});
    certos::store::FileArea files(data_dir / "files");
    certos::menu::Tree tree(*store);
    tree.set_files(&files);
    certos::console::InstallScriptRunner(tree);
    certos::menu::InstallMenus(tree);
    certos::menu::Bootstrap(tree);
    // The interactive console is a long-running start: worth one password check to say that a
    // CERTOS_ADMIN_PASSWORD given to an existing store is ignored (menu/auth.hpp).
    if (auto created = certos::menu::EnsureAdmin(tree, command.empty() && script.empty())) {
        std::cerr << "certos: " << *created << "\n";
    }
    certos::menu::Session session;  // the local console acts as admin, with every policy
    certos::console::Console console(tree, session, std::cout, std::cerr);
    if (!command.empty()) {
        return console.RunLine(command) ? 0 : 1;
    }
    if (!script.empty()) {
        std::ifstream in(script, std::ios::binary);
        if (!in) {
            std::cerr << "certos: cannot read " << script << "\n";
            return 2;
        }
        std::stringstream text;
        text << in.rdbuf();
        return console.RunScript(text.str(), script);
    }
    return console.RunInteractive(data_dir / ".console_history");
}

}  // namespace

int main(int argc, char** argv) {
    // Everything certos creates in the data directory (the database and its WAL, /file exports and uploads,
    // the console history) holds or leads to private keys: owner-only, whatever umask the caller has.
    umask(077);
    CLI::App app{"certos: a RouterOS-compatible certificate manager"};
    std::string data_dir = "./var";
    std::string store_url;
    std::string command;
    std::string script;
    app.add_option("--data", data_dir, "data directory (created when missing)")->capture_default_str();
    app.add_option("--store", store_url,
                   "store URL: sqlite:DIR (default sqlite:<data directory>); postgresql://... is to come");
    app.add_option("-c,--command", command, "run one console command and exit");
    app.add_option("script", script, "run a RouterOS script (.rsc), stopping at the first error");
    certos::daemon::DaemonOptions serve_options;
    double read_timeout = 10;
    CLI::App* serve = app.add_subcommand("serve", "run the daemon: the /ip service listeners and the REST API");
    serve->fallthrough();
    serve->add_option("--listen", serve_options.listen_address, "address the listeners bind to")->capture_default_str();
    serve->add_option("--read-timeout", read_timeout, "seconds a client has to send one request")
        ->capture_default_str();
    serve->add_flag("--public-metrics", serve_options.public_metrics, "serve /metrics without a login");
    CLI11_PARSE(app, argc, argv);
    if (*serve) {
        serve_options.data_dir = data_dir;
        serve_options.store_url = store_url;
        serve_options.read_timeout = std::chrono::milliseconds(static_cast<long>(read_timeout * 1000));
        return certos::daemon::RunDaemon(serve_options);
    }
    try {
        return RunConsole(data_dir, store_url, command, script);
    } catch (const certos::core::Error& e) {
        std::cerr << "certos: " << e.what() << "\n";
        return 2;
    }
}
