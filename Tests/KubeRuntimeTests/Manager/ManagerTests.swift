import Foundation
import KubeClient
import KubeModel
import Synchronization
import Testing

@testable import KubeRuntime

/// What the leading work of a manager went through.
private final class LeadingRecorder: Sendable {
    let terms = Mutex<[LeadershipTerm]>([])
    private let drained = Atomic<Bool>(false)
    var didDrain: Bool { drained.load(ordering: .relaxed) }

    /// Leading work that waits for cancellation, then takes `drain` seconds to finish (as a
    /// controller finishing its in-flight reconciles).
    func work(drain: Double) -> @Sendable (LeadershipTerm) async -> Void {
        { term in
            self.terms.withLock { $0.append(term) }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            // The task is cancelled now, so the drain sleeps in a detached task (which is not),
            // instead of blocking one of the few cooperative threads every suite shares.
            if drain > 0 { await Task.detached { try? await Task.sleep(for: .seconds(drain)) }.value }
            self.drained.store(true, ordering: .relaxed)
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct ManagerTests {
    @Test func unelectedWorkRunsAtOnceAndDrainsOnShutdown() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let options = Manager.Options(
            metricsBindAddress: "127.0.0.1:0", healthProbeBindAddress: "127.0.0.1:0", handlesSignals: false)
        let manager = try Manager(client: try cluster.client(), options: options, registry: nil)
        let ready = Atomic<Bool>(false)
        manager.healthChecks.addReadinessCheck("caches") { ready.load(ordering: .relaxed) ? nil : "not synced" }
        let recorder = LeadingRecorder()
        manager.addLeading(name: "controller", recorder.work(drain: 0.3))
        let running = Task { try await manager.run() }

        #expect(await waitUntil { recorder.terms.withLock { !$0.isEmpty } })
        let term = try #require(recorder.terms.withLock { $0.first })
        #expect(term.isValid)
        #expect(term.number == 0)
        #expect(await waitUntil { manager.probeServer?.boundPort != nil && manager.metricsServer?.boundPort != nil })
        let transport = try CurlTransport()
        defer { transport.shutdown() }
        let readyz = "http://127.0.0.1:\(manager.probeServer?.boundPort ?? 0)/readyz"
        #expect(try await transport.send(HTTPRequest(method: "GET", url: readyz)).head.status == 500)
        ready.store(true, ordering: .relaxed)
        #expect(try await transport.send(HTTPRequest(method: "GET", url: readyz)).head.status == 200)

        await manager.shutDown()
        try await running.value
        #expect(recorder.didDrain, "shutdown waited for the leading work to drain")
        #expect(!term.isValid, "the term ends with the work")
        await #expect(throws: ManagerError.alreadyStarted) { try await manager.run() }
    }

    @Test func lostLeaseEndsRunWithLeadershipLost() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let options = Manager.Options(
            metricsBindAddress: nil, healthProbeBindAddress: nil,
            leaderElection: LeaderTestCluster.config(identity: "replica-a", lease: "manager-lost"), handlesSignals: false)
        let manager = try Manager(client: try cluster.client(), options: options, registry: nil)
        let recorder = LeadingRecorder()
        manager.addLeading(name: "controller", recorder.work(drain: 0))
        let running = Task { try await manager.run() }
        #expect(await waitUntil { recorder.terms.withLock { !$0.isEmpty } })

        // Someone else takes the Lease (as after a partition): the manager must stop leading and fail.
        _ = try await cluster.client().patch(
            .leases, namespace: "default", name: "manager-lost",
            .merge(try JSONValue.parse(#"{"spec":{"holderIdentity":"replica-b"}}"#)))
        await #expect(throws: ManagerError.leadershipLost(.leaseTakenOver(by: "replica-b"))) { try await running.value }
        #expect(recorder.didDrain)
        #expect(recorder.terms.withLock { $0.allSatisfy { !$0.isValid } })
    }

    @Test func gracefulReleaseOnShutdownLetsAnotherReplicaLeadAtOnce() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let election = LeaderTestCluster.config(identity: "replica-a", lease: "manager-release", releaseOnCancel: true)
        let options = Manager.Options(
            metricsBindAddress: nil, healthProbeBindAddress: nil, leaderElection: election, handlesSignals: false)
        let manager = try Manager(client: try cluster.client(), options: options, registry: nil)
        let recorder = LeadingRecorder()
        manager.addLeading(name: "controller", recorder.work(drain: 0))
        let running = Task { try await manager.run() }
        #expect(await waitUntil { recorder.terms.withLock { !$0.isEmpty } })
        await manager.shutDown()
        try await running.value
        let lease = try await cluster.lease("manager-release")
        #expect(lease["spec"]?["holderIdentity"]?.stringValue ?? "" == "", "the Lease was released on shutdown")
    }

    @Test func portInUseStopsTheManagerBeforeAnyLeadingWork() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let first = try Manager(
            client: try cluster.client(),
            options: Manager.Options(
                metricsBindAddress: "127.0.0.1:0", healthProbeBindAddress: nil, handlesSignals: false),
            registry: nil)
        let firstRun = Task { try await first.run() }
        #expect(await waitUntil { first.metricsServer?.boundPort != nil })
        let port = try #require(first.metricsServer?.boundPort)

        let second = try Manager(
            client: try cluster.client(),
            options: Manager.Options(
                metricsBindAddress: "127.0.0.1:\(port)", healthProbeBindAddress: nil, handlesSignals: false),
            registry: nil)
        let recorder = LeadingRecorder()
        second.addLeading(name: "controller", recorder.work(drain: 0))
        await #expect(throws: ManagerError.self) { try await second.run() }
        #expect(recorder.terms.withLock { $0.isEmpty }, "nothing led before the servers listened")
        await first.shutDown()
        try await firstRun.value
    }

    @Test func badBindAddressIsRefusedBeforeRunning() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        #expect(throws: ManagerError.self) {
            try Manager(
                client: try cluster.client(), options: Manager.Options(metricsBindAddress: "8080", handlesSignals: false),
                registry: nil)
        }
    }
}
