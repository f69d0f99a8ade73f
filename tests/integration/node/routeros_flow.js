// node-routeros 1.6.9 against certos: list, add, sign, list again. Prints one JSON line with what it saw, or
// {"error": ...} and exit status 1. Usage: node routeros_flow.js PORT PASSWORD [print-empty]
'use strict';
const { RouterOSAPI } = require('node-routeros');

async function main() {
    const [port, password, mode] = process.argv.slice(2);
    const api = new RouterOSAPI({ host: '127.0.0.1', user: 'admin', password, port: Number(port), timeout: 20 });
    api.on('error', (e) => { console.log(JSON.stringify({ error: String(e && (e.errno || e.message || e)) })); process.exit(1); });
    await api.connect();
    const out = {};
    if (mode === 'print-empty') {
        // A print that finds nothing: RouterOS 7.18+ answers !empty, which node-routeros 1.6.9 does not know.
        out.empty = await api.write('/certificate/print', ['?name=does-not-exist']);
        console.log(JSON.stringify(out));
        await api.close();
        return;
    }
    out.before = (await api.write('/certificate/print')).map((c) => c.name);
    const added = await api.write('/certificate/add', ['=name=node-ca', '=common-name=node-ca', '=key-size=prime256v1',
                                                       '=key-usage=key-cert-sign,crl-sign']);
    out.added = added[0] && added[0].ret;
    out.signed = await api.write('/certificate/sign', ['=.id=node-ca']);
    const listed = await api.write('/certificate/print', ['?name=node-ca']);
    out.after = listed.map((c) => ({ name: c.name, id: c['.id'], authority: c.authority, key: c['private-key'] }));
    try {
        await api.write('/certificate/remove', ['=.id=*999']);
    } catch (e) {
        out.trap = e.message;
    }
    console.log(JSON.stringify(out));
    await api.close();
}

main().catch((e) => { console.log(JSON.stringify({ error: String(e && (e.errno || e.message || e)) })); process.exit(1); });
