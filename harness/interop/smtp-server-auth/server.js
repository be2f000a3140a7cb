// Node's smtp-server (npm, installed by install.sh into build/interop/npm)
// with its defaults, as nobody configured it for the suite.  Usage: node
// server.js PORT CERT KEY.  Listens on 127.0.0.1:PORT until SIGTERM.  Only
// what a server cannot run without is set: the STARTTLS certificate and the
// one account, harness / harness-secret (onAuth; the default refuses every
// login).  Everything else is smtp-server's default: authOptional false
// (AUTH required: 530 to MAIL, RCPT and DATA without it), allowInsecureAuth
// false (AUTH only inside TLS: 538 before STARTTLS), AUTH LOGIN and PLAIN,
// every sender and recipient accepted (no onMailFrom, onRcptTo), message
// data read and dropped (the default onData), no size limit, its own name
// (os.hostname()) and banner.
'use strict';
const fs = require('fs');
const { SMTPServer } = require('smtp-server');

const [port, cert, key] = process.argv.slice(2);
const server = new SMTPServer({
    key: fs.readFileSync(key),
    cert: fs.readFileSync(cert),
    onAuth(auth, session, callback) {
        if (auth.username === 'harness' && auth.password === 'harness-secret') {
            return callback(null, { user: auth.username });
        }
        const err = new Error('Invalid username or password');
        err.responseCode = 535;
        callback(err);
    },
});
server.on('error', (err) => console.error('smtp-server:', err.message));
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
