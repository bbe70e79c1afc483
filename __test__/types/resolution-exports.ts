// moduleResolution node16 and bundler (tsconfig.node16.json,
// tsconfig.bundler.json): how deep and subpath imports resolve, for
// ferrosoup and for mediasoup 3.27.1 (the reference).
//
// Both modes apply the package's exports map, for types too. mediasoup's map
// lists `.`, `./types`, `./errors`, `./ortc` and `./extras` only, so its deep
// imports (`mediasoup/node/lib/...`) do not compile; ferrosoup's map lists the
// same subpaths and must behave the same.

import type * as fsRoot from 'ferrosoup';
import type * as fsTypes from 'ferrosoup/types';
import type * as msTypes from 'mediasoup/types';
import * as fsErrors from 'ferrosoup/errors';
import * as fsOrtc from 'ferrosoup/ortc';
import * as fsExtras from 'ferrosoup/extras';

// @ts-expect-error: not exported by mediasoup's exports map
import type * as msDeepTypes from 'mediasoup/node/lib/types';
// @ts-expect-error: nor by ferrosoup's
import type * as fsDeepTypes from 'ferrosoup/node/lib/types';
// @ts-expect-error: not exported by mediasoup's exports map
import type { Worker as MsDeepWorker } from 'mediasoup/node/lib/WorkerTypes';
// @ts-expect-error: nor by ferrosoup's
import type { Worker as FsDeepWorker } from 'ferrosoup/node/lib/WorkerTypes';
// @ts-expect-error: not exported by mediasoup's exports map
import type * as msDeepIndex from 'mediasoup/node/lib/index';
// @ts-expect-error: nor by ferrosoup's
import type * as fsDeepIndex from 'ferrosoup/node/lib/index';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
function assert<T extends true>(): T | void {}

// The subpaths are the root module's namespaces.
assert<Same<fsTypes.Worker, fsRoot.types.Worker>>();
assert<Same<typeof fsErrors, typeof fsRoot.errors>>();
assert<Same<typeof fsOrtc, typeof fsRoot.ortc>>();
assert<Same<typeof fsExtras, typeof fsRoot.extras>>();

// And mediasoup's data types, not `any`.
assert<Same<fsTypes.TransportTuple, msTypes.TransportTuple>>();
assert<Same<fsTypes.RtpParameters, msTypes.RtpParameters>>();
assert<Same<IsAny<fsTypes.PlainTransport['tuple']>, false>>();
assert<Same<IsAny<fsTypes.Consumer['rtpParameters']>, false>>();
assert<Same<IsAny<fsTypes.Router['rtpCapabilities']>, false>>();
assert<Same<IsAny<fsTypes.TransportObserverEvents['newproducer'][0]>, false>>();
