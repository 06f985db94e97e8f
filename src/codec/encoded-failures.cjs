// The failure converter of workers that encrypt payloads: a failure's message and stack trace move
// into its encoded attributes, a payload the codec encrypts, so the server stores no failure text.
// Temporal loads it by path, with require() on the worker's main side and through the bundler in the
// workflow sandbox: plain CommonJS, so both (and a checkout's tests, which have no TypeScript loader
// on require) load it as it is. Readers need nothing: Temporal's default converter decodes these.
/* global require, exports */
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, as explained above
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
