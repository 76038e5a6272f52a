import KubeClient
import KubeModel
import Logging
import Testing

@testable import KubeRuntime
@testable import Roost

/// The placement snapshot the operator builds from its caches, its expectations and the worker
/// copies it has written past: no interleaving of those may let a cycle spawn a second worker
/// for a claimed session or exceed maxWorkers.
@Suite struct OperatorContextSnapshotTests {
    let runtime = ObjectName(namespace: "team", name: "coder")
    let worker = ObjectName(namespace: "team", name: "coder-abcde")

    private func makeContext(maxWorkers: Int) throws -> OperatorContext {
        let runtimes = Store<AgentRuntime>()
        runtimes.replace(
            [
                try AgentRuntime.decode(
                    #"{"apiVersion":"roost.dev/v1alpha1","kind":"AgentRuntime","metadata":{"name":"coder","namespace":"team","uid":"r-1","generation":1,"resourceVersion":"1"},"spec":{"template":{"spec":{"containers":[{"name":"agent","image":"coder:1"}]}},"pool":{"maxWorkers":\#(maxWorkers)}}}"#
                )
            ], resourceVersion: "1")
        // No request is ever sent: the client only has to exist.
        let client = try KubeClient(
            configuration: ClientConfiguration(
                server: "http://127.0.0.1:9", credentials: StaticCredentialProvider(Credentials()), source: "test"))
        return OperatorContext(
            pods: Store(indexers: OperatorContext.podIndexers), nodes: Store(), runtimes: runtimes,
            sessions: Store(indexers: OperatorContext.sessionIndexers), configuration: OperatorConfiguration(),
            metrics: RoostMetrics(), events: EventRecorder(client: client, instance: "test"), client: client,
            logger: Logger(label: "test"))
    }

    private func session(_ name: String) throws -> AgentSession {
        try AgentSession.decode(
            #"{"apiVersion":"roost.dev/v1alpha1","kind":"AgentSession","metadata":{"name":"\#(name)","namespace":"team","uid":"u-\#(name)","resourceVersion":"2","creationTimestamp":"2026-11-29T00:00:00Z","finalizers":["roost.dev/release"]},"spec":{"runtimeRef":{"name":"coder"}}}"#
        )
    }

    private func workerPod(resourceVersion: String, state: String, session: String?) throws -> CoreV1.Pod {
        let annotation = session.map { #","annotations":{"roost.dev/session":"\#($0)"}"# } ?? ""
        return try CoreV1.Pod.decode(
            #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"coder-abcde","namespace":"team","uid":"w-1","resourceVersion":"\#(resourceVersion)","labels":{"roost.dev/managed-by":"roost","roost.dev/runtime":"coder","roost.dev/machine":"default","roost.dev/state":"\#(state)"}\#(annotation)},"spec":{"nodeName":"node-a","containers":[{"name":"agent","image":"coder:1"}]},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#
        )
    }

    private func decisions(_ context: OperatorContext) -> [PlacementDecision] {
        PlacementCycle(policy: context.policy).run(on: context.snapshot(runtime: runtime))
    }

    /// The pod handler updates the table, then ends the expectation; the snapshot reads the
    /// expectations first, so the binding is seen before (expectation) and after (table).
    @Test func aClaimInFlightOrJustSeenBindsItsSession() throws {
        let context = try makeContext(maxWorkers: 5)
        let second = try session("second")
        context.sessionChanged(ObjectName(second.metadata), session: second)
        let idle = try workerPod(resourceVersion: "5", state: "idle", session: nil)
        context.workerChanged(worker, pod: idle)
        context.expectations.expectBinding(session: ObjectName(second.metadata), worker: worker, at: context.now())
        #expect(decisions(context).isEmpty, "the claim in flight binds the session: nothing to decide")

        // The cache shows the claim: the table first, then the expectation ends.
        context.workerChanged(worker, pod: try workerPod(resourceVersion: "6", state: "busy", session: "second"))
        #expect(decisions(context).isEmpty)
        context.expectations.observeWorker(worker, servingSession: "second")
        #expect(decisions(context).isEmpty, "the table's worker names the session")
    }

    /// A worker whose copy Roost has written past (here: released, the cache not caught up) is
    /// neither offered nor forgotten: with maxWorkers 1 the next session waits instead of a
    /// second worker being spawned.
    @Test func aWorkerInTransitionStillCountsTowardMaxWorkers() throws {
        let context = try makeContext(maxWorkers: 1)
        let busy = try workerPod(resourceVersion: "7", state: "busy", session: "first")
        context.workerChanged(worker, pod: busy)
        let second = try session("second")
        context.sessionChanged(ObjectName(second.metadata), session: second)
        context.workerStale(worker, resourceVersion: "7")
        let decided = decisions(context)
        #expect(decided.count == 1)
        guard case .wait(let waiting, _)? = decided.first else {
            Issue.record("expected the session to wait at maxWorkers, got \(decided)")
            return
        }
        #expect(waiting.id.name == "second")
    }
}
