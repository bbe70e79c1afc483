// Sample application code importing types from mediasoup's file layout
// (`<package>/node/lib/<Module>`), which TypeScript resolves as files under
// moduleResolution node10 only (node16 and bundler apply the exports map,
// which does not list these paths: see resolution-exports.ts). Compiled by
// tsconfig.node10.json, never run.
//
// Checks that every deep module resolves to ferrosoup's own declarations:
// deep and root types are mutually assignable, and none of them is `any`.

import * as root from 'ferrosoup';
import type { types } from 'ferrosoup';

// The forms seen in applications: namespace, named (with and without `type`).
import type * as deepTypes from 'ferrosoup/node/lib/types';
import * as deepIndex from 'ferrosoup/node/lib/index';
import { Worker, WorkerSettings } from 'ferrosoup/node/lib/WorkerTypes';
import type { Router, RouterOptions, RouterObserverEvents } from 'ferrosoup/node/lib/RouterTypes';
import type { WebRtcServer, WebRtcServerOptions } from 'ferrosoup/node/lib/WebRtcServerTypes';
import type { Transport, TransportTuple, TransportObserverEvents } from 'ferrosoup/node/lib/TransportTypes';
import type { WebRtcTransport, WebRtcTransportOptions, DtlsParameters } from 'ferrosoup/node/lib/WebRtcTransportTypes';
import type { PlainTransport, PlainTransportOptions } from 'ferrosoup/node/lib/PlainTransportTypes';
import type { DirectTransport, DirectTransportOptions } from 'ferrosoup/node/lib/DirectTransportTypes';
import type { Producer, ProducerOptions, ProducerObserverEvents } from 'ferrosoup/node/lib/ProducerTypes';
import type { Consumer, ConsumerOptions, ConsumerObserverEvents } from 'ferrosoup/node/lib/ConsumerTypes';
import type { DataProducer, DataProducerOptions } from 'ferrosoup/node/lib/DataProducerTypes';
import type { DataConsumer, DataConsumerOptions } from 'ferrosoup/node/lib/DataConsumerTypes';
import type { RtpObserver, RtpObserverObserverEvents } from 'ferrosoup/node/lib/RtpObserverTypes';
import type { ActiveSpeakerObserver } from 'ferrosoup/node/lib/ActiveSpeakerObserverTypes';
import type { AudioLevelObserver, AudioLevelObserverVolume } from 'ferrosoup/node/lib/AudioLevelObserverTypes';
import type { Observer, ObserverEvents, Index } from 'ferrosoup/node/lib/indexTypes';
import type { RtpCapabilities, RtpParameters, RouterRtpCapabilities } from 'ferrosoup/node/lib/rtpParametersTypes';
import type { RtpStreamRecvStats } from 'ferrosoup/node/lib/rtpStreamStatsTypes';
import type { SctpStreamParameters } from 'ferrosoup/node/lib/sctpParametersTypes';
import type { SrtpParameters } from 'ferrosoup/node/lib/srtpParametersTypes';
import type { ScalabilityMode } from 'ferrosoup/node/lib/scalabilityModesTypes';
import type { WorkerImpl } from 'ferrosoup/node/lib/Worker';
import type { RouterImpl } from 'ferrosoup/node/lib/Router';
import type { WebRtcServerImpl } from 'ferrosoup/node/lib/WebRtcServer';
import type { TransportImpl } from 'ferrosoup/node/lib/Transport';
import type { WebRtcTransportImpl } from 'ferrosoup/node/lib/WebRtcTransport';
import type { PlainTransportImpl } from 'ferrosoup/node/lib/PlainTransport';
import type { DirectTransportImpl } from 'ferrosoup/node/lib/DirectTransport';
import type { ProducerImpl } from 'ferrosoup/node/lib/Producer';
import type { ConsumerImpl } from 'ferrosoup/node/lib/Consumer';
import type { DataProducerImpl } from 'ferrosoup/node/lib/DataProducer';
import type { DataConsumerImpl } from 'ferrosoup/node/lib/DataConsumer';
import type { RtpObserverImpl } from 'ferrosoup/node/lib/RtpObserver';
import type { ActiveSpeakerObserverImpl } from 'ferrosoup/node/lib/ActiveSpeakerObserver';
import type { AudioLevelObserverImpl } from 'ferrosoup/node/lib/AudioLevelObserver';
import type * as deepErrors from 'ferrosoup/node/lib/errors';
import type * as deepOrtc from 'ferrosoup/node/lib/ortc';
import type * as deepExtras from 'ferrosoup/node/lib/extras';
import type * as deepEnhancedEvents from 'ferrosoup/node/lib/enhancedEvents';
import type * as deepScalabilityModesUtils from 'ferrosoup/node/lib/scalabilityModesUtils';
import type * as deepWorker from 'ferrosoup/node/lib/Worker';

import type { PipeTransport } from 'ferrosoup/node/lib/PipeTransportTypes';
import type { PipeTransportImpl } from 'ferrosoup/node/lib/PipeTransport';
import type { PipeToRouterResult } from 'ferrosoup/node/lib/RouterTypes';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Mutual assignability. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
function assert<T extends true>(): T | void {}
/** Mutually assignable, and not `any` (which is mutually assignable with everything). */
function same<A, B>(): [IsAny<A>, IsAny<B>, Same<A, B>] extends [false, false, true] ? true : false {
	return null!;
}
const ok = <T extends true>(value: T) => value;

type MyAppData = { roomId: string };
type MyWorker = Worker<MyAppData>;

// ---------------------------------------------------------------------------
// A deep-importing app
// ---------------------------------------------------------------------------

export async function start(settings: WorkerSettings<MyAppData>): Promise<MyWorker> {
	const worker: MyWorker = await root.createWorker(settings);
	const router: Router = await worker.createRouter({ mediaCodecs: [] } satisfies RouterOptions);
	const transport: WebRtcTransport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
	} satisfies WebRtcTransportOptions);
	const dtls: DtlsParameters = transport.dtlsParameters;
	const plain: PlainTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
	} satisfies PlainTransportOptions);
	const tuple: TransportTuple = plain.tuple;
	const caps: RtpCapabilities = router.rtpCapabilities;
	void [dtls, tuple, caps];
	const impl: WorkerImpl<MyAppData> = worker;
	return impl;
}

// ---------------------------------------------------------------------------
// Deep types are the root types
// ---------------------------------------------------------------------------

// Modules with values: the whole module object.
ok(same<typeof deepIndex, typeof root>());
ok(same<typeof deepErrors, typeof root.errors>());
ok(same<typeof deepOrtc, typeof root.ortc>());
ok(same<typeof deepExtras, typeof root.extras>());
ok(same<typeof deepEnhancedEvents, typeof root.extras>());
ok(same<typeof deepScalabilityModesUtils.parseScalabilityMode, typeof root.parseScalabilityMode>());
ok(same<typeof deepWorker.defaultWorkerBin, typeof root.workerBin>());
ok(same<deepErrors.UnsupportedError, root.errors.UnsupportedError>());
ok(same<deepExtras.EnhancedEventEmitter<ObserverEvents>, root.extras.EnhancedEventEmitter<ObserverEvents>>());

// The `types` barrel.
ok(same<deepTypes.Worker, types.Worker>());
ok(same<deepTypes.Router<MyAppData>, types.Router<MyAppData>>());
ok(same<deepTypes.RtpParameters, types.RtpParameters>());
ok(same<deepTypes.AppData, types.AppData>());
ok(same<deepTypes.Either<{ a: 1 }, { b: 2 }>, types.Either<{ a: 1 }, { b: 2 }>>());
ok(same<deepTypes.WorkerClosedError, types.WorkerClosedError>());

// Each *Types module.
ok(same<Worker, types.Worker>());
ok(same<MyWorker, types.Worker<MyAppData>>());
ok(same<WorkerSettings<MyAppData>, types.WorkerSettings<MyAppData>>());
ok(same<Router, types.Router>());
ok(same<RouterObserverEvents, types.RouterObserverEvents>());
ok(same<WebRtcServer, types.WebRtcServer>());
ok(same<WebRtcServerOptions, types.WebRtcServerOptions>());
ok(same<Transport, types.Transport>());
ok(same<TransportObserverEvents, types.TransportObserverEvents>());
ok(same<WebRtcTransport, types.WebRtcTransport>());
ok(same<WebRtcTransportOptions, types.WebRtcTransportOptions>());
ok(same<PlainTransport, types.PlainTransport>());
ok(same<PipeTransport, types.PipeTransport>());
ok(same<PipeToRouterResult, types.PipeToRouterResult>());
ok(same<DirectTransport, types.DirectTransport>());
ok(same<DirectTransportOptions, types.DirectTransportOptions>());
ok(same<Producer, types.Producer>());
ok(same<ProducerOptions, types.ProducerOptions>());
ok(same<ProducerObserverEvents, types.ProducerObserverEvents>());
ok(same<Consumer, types.Consumer>());
ok(same<ConsumerOptions, types.ConsumerOptions>());
ok(same<ConsumerObserverEvents, types.ConsumerObserverEvents>());
ok(same<DataProducer, types.DataProducer>());
ok(same<DataProducerOptions, types.DataProducerOptions>());
ok(same<DataConsumer, types.DataConsumer>());
ok(same<DataConsumerOptions, types.DataConsumerOptions>());
ok(same<RtpObserver, types.RtpObserver>());
ok(same<RtpObserverObserverEvents, types.RtpObserverObserverEvents>());
ok(same<ActiveSpeakerObserver, types.ActiveSpeakerObserver>());
ok(same<AudioLevelObserver, types.AudioLevelObserver>());
ok(same<AudioLevelObserverVolume, types.AudioLevelObserverVolume>());
ok(same<Observer, types.Observer>());
ok(same<Index, types.Index>());
ok(same<RouterRtpCapabilities, types.RouterRtpCapabilities>());
ok(same<RtpStreamRecvStats, types.RtpStreamRecvStats>());
ok(same<SctpStreamParameters, types.SctpStreamParameters>());
ok(same<SrtpParameters, types.SrtpParameters>());
ok(same<ScalabilityMode, types.ScalabilityMode>());

// Class modules: mediasoup's XxxImpl is usable as a type only (the path
// cannot be required), so here it is the public interface.
ok(same<WorkerImpl, types.Worker>());
ok(same<WorkerImpl<MyAppData>, types.Worker<MyAppData>>());
ok(same<RouterImpl, types.Router>());
ok(same<WebRtcServerImpl, types.WebRtcServer>());
ok(same<TransportImpl, types.Transport>());
ok(same<WebRtcTransportImpl, types.WebRtcTransport>());
ok(same<PlainTransportImpl, types.PlainTransport>());
ok(same<PipeTransportImpl, types.PipeTransport>());
ok(same<DirectTransportImpl, types.DirectTransport>());
ok(same<ProducerImpl, types.Producer>());
ok(same<ConsumerImpl, types.Consumer>());
ok(same<DataProducerImpl, types.DataProducer>());
ok(same<DataConsumerImpl, types.DataConsumer>());
ok(same<RtpObserverImpl, types.RtpObserver>());
ok(same<ActiveSpeakerObserverImpl, types.ActiveSpeakerObserver>());
ok(same<AudioLevelObserverImpl, types.AudioLevelObserver>());

// ---------------------------------------------------------------------------
// Precise where mediasoup is precise: not `any`
// ---------------------------------------------------------------------------

assert<Same<IsAny<PlainTransport['tuple']>, false>>();
assert<Same<PlainTransport['tuple'], TransportTuple>>();
assert<Same<IsAny<TransportTuple['localPort']>, false>>();
assert<Same<IsAny<Consumer['rtpParameters']>, false>>();
assert<Same<Consumer['rtpParameters'], RtpParameters>>();
assert<Same<IsAny<RtpParameters['codecs'][number]['mimeType']>, false>>();
assert<Same<IsAny<Router['rtpCapabilities']>, false>>();
assert<Same<Router['rtpCapabilities'], RtpCapabilities>>();
assert<Same<IsAny<WebRtcTransport['dtlsParameters']>, false>>();
assert<Same<IsAny<Producer['rtpParameters']>, false>>();
assert<Same<IsAny<DataConsumer['sctpStreamParameters']>, false>>();
assert<Same<IsAny<ReturnType<Worker['getResourceUsage']>>, false>>();
// Observer event maps, and the listener arguments they give.
assert<Same<IsAny<ObserverEvents>, false>>();
assert<Same<IsAny<ObserverEvents['newworker'][0]>, false>>();
assert<Same<IsAny<RouterObserverEvents['newtransport'][0]>, false>>();
assert<Same<IsAny<TransportObserverEvents['newproducer'][0]>, false>>();
assert<Same<IsAny<TransportObserverEvents['newconsumer'][0]>, false>>();
assert<Same<IsAny<ProducerObserverEvents['score'][0]>, false>>();
assert<Same<IsAny<ConsumerObserverEvents['layerschange'][0]>, false>>();
assert<Same<IsAny<RtpObserverObserverEvents['addproducer'][0]>, false>>();
assert<Same<IsAny<Parameters<Parameters<Worker['observer']['on']>[1]>[0]>, false>>();
// `IsAny` does catch `any`.
assert<IsAny<any>>();
