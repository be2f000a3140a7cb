// Node's smtp-server (npm, installed by install.sh into build/interop/npm)
// as an interop target.  Usage: node server.js PORT CERT KEY.  Listens on
// 127.0.0.1:PORT until SIGTERM; STARTTLS with the test certificate; AUTH
// PLAIN and LOGIN, also without TLS, with one account, harness /
// harness-secret (the profile's auth_user and auth_password); interop.test is
// the only domain it accepts recipients for; message data is read and
// dropped.
'use strict';
const fs = require('fs');
const { SMTPServer } = require('smtp-server');

const [port, cert, key] = process.argv.slice(2);
const server = new SMTPServer({
    name: 'mx.interop.test',
    banner: 'smtp-server (interop)',
    key: fs.readFileSync(key),
    cert: fs.readFileSync(cert),
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, session, callback) {
        if (auth.username === 'harness' && auth.password === 'harness-secret') {
            return callback(null, { user: auth.username });
        }
        const err = new Error('Invalid username or password');
        err.responseCode = 535;
        callback(err);
    },
    onRcptTo(address, session, callback) {
        const addr = address.address.toLowerCase();
        const domain = addr.split('@').pop();
        if (addr !== 'postmaster' && domain !== 'interop.test') {
            const err = new Error('Relaying denied');
            err.responseCode = 550;
            return callback(err);
        }
        callback();
    },
    onData(stream, session, callback) {
        stream.on('end', () => callback(null, 'OK: discarded'));
        stream.resume();
    },
});
server.on('error', (err) => console.error('smtp-server:', err.message));
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
