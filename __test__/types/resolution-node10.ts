// moduleResolution node10 (tsconfig.node10.json): how deep and subpath
// imports resolve, for ferrosoup and for mediasoup 3.27.1 (the reference).
//
// node10 ignores the exports map: a specifier resolves to a file (or a
// folder's index) in the package. mediasoup's deep imports work, its
// documented subpaths (`mediasoup/types`, ...) do not (no such file, no
// `typesVersions`); ferrosoup must behave the same.

import type * as fsDeepTypes from 'ferrosoup/node/lib/types';
import type * as msDeepTypes from 'mediasoup/node/lib/types';
import type { WorkerSettings as FsWorkerSettings } from 'ferrosoup/node/lib/WorkerTypes';
import type { WorkerSettings as MsWorkerSettings } from 'mediasoup/node/lib/WorkerTypes';
import type { TransportTuple as FsTransportTuple } from 'ferrosoup/node/lib/TransportTypes';
import type { TransportTuple as MsTransportTuple } from 'mediasoup/node/lib/TransportTypes';
import type * as fsDeepOrtc from 'ferrosoup/node/lib/ortc';
import type * as msDeepOrtc from 'mediasoup/node/lib/ortc';
import type * as fsDeepErrors from 'ferrosoup/node/lib/errors';
import type * as msDeepErrors from 'mediasoup/node/lib/errors';

// @ts-expect-error: mediasoup/types is not a file of mediasoup's package
import type * as msTypes from 'mediasoup/types';
// @ts-expect-error: nor ferrosoup/types of ferrosoup's
import type * as fsTypes from 'ferrosoup/types';
// @ts-expect-error: mediasoup/errors is not a file of mediasoup's package
import type * as msErrors from 'mediasoup/errors';
// @ts-expect-error: nor ferrosoup/errors of ferrosoup's
import type * as fsErrors from 'ferrosoup/errors';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function assert<T extends true>(): T | void {}

// Deep data types are mediasoup's (entities differ by what ferrosoup does
// not implement yet; compat-check.ts compares those member by member).
assert<Same<FsWorkerSettings<{ a: 1 }>, MsWorkerSettings<{ a: 1 }>>>();
assert<Same<FsTransportTuple, MsTransportTuple>>();
assert<Same<fsDeepTypes.RtpParameters, msDeepTypes.RtpParameters>>();
assert<Same<fsDeepTypes.RouterRtpCapabilities, msDeepTypes.RouterRtpCapabilities>>();
assert<Same<fsDeepTypes.SctpStreamParameters, msDeepTypes.SctpStreamParameters>>();
assert<Same<typeof fsDeepOrtc.canConsume, typeof msDeepOrtc.canConsume>>();
assert<Same<fsDeepErrors.NotFoundError, msDeepErrors.NotFoundError>>();
