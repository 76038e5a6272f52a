import Foundation
import KubeClient
import KubeModel
import KubeSim
import MetricsTestKit
import Testing

@testable import KubeRuntime

@Suite(.serialized) struct LeaderElectionTests {
    static func isMicroTime(_ text: String) -> Bool {
        text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/#) != nil
    }

    @Test func oneElectorCreatesTheLeaseAndRenewsIt() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let metrics = TestMetrics()
        let elector = try LeaderElector(
            client: try cluster.client(), config: LeaderTestCluster.config(identity: "alpha", lease: "solo"),
            metricsFactory: metrics)
        let gauge = try metrics.expectGauge("leader_election_master_status", [("name", "solo")])
        #expect(gauge.lastValue == 0)

        let (task, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { elector.isLeader })
        #expect(await eventually(within: 5) { recorder.terms.count == 1 })
        let term = try #require(recorder.terms.first)
        #expect(term.isValid)
        #expect(term.identity == "alpha")
        #expect(elector.currentTerm === term)
        #expect(gauge.lastValue == 1)
        #expect(recorder.newLeaders == ["alpha"])

        let created = try await cluster.lease("solo")
        #expect(created[path: ["spec", "holderIdentity"]] == "alpha")
        #expect(created[path: ["spec", "leaseDurationSeconds"]] == 8, "whole seconds")
        // The term number is the fencing token: the Lease's transition count when this term began
        // (0 unless a timed-out first attempt had already stored the Lease).
        #expect(created[path: ["spec", "leaseTransitions"]] == .int(term.number))
        let acquireTime = try #require(created[path: ["spec", "acquireTime"]]?.stringValue)
        let firstRenew = try #require(created[path: ["spec", "renewTime"]]?.stringValue)
        #expect(Self.isMicroTime(acquireTime), "MicroTime: \(acquireTime)")
        #expect(Self.isMicroTime(firstRenew), "MicroTime: \(firstRenew)")
        #expect(acquireTime == term.acquireTime)

        // Renewals move renewTime and keep acquireTime and the transition count.
        #expect(
            try await eventually(within: 10) {
                try await cluster.lease("solo")[path: ["spec", "renewTime"]]?.stringValue != firstRenew
            })
        let renewed = try await cluster.lease("solo")
        #expect(renewed[path: ["spec", "acquireTime"]]?.stringValue == acquireTime)
        #expect(renewed[path: ["spec", "leaseTransitions"]] == .int(term.number))
        #expect(renewed[path: ["spec", "holderIdentity"]] == "alpha")
        #expect(cluster.leaseWrites(verb: "create", code: 201) == 1)
        #expect(elector.isLeader)

        task.cancel()
        await task.value
        #expect(!elector.isLeader)
        #expect(!term.isValid)
        #expect(throws: LeadershipLostError.self) { try term.checkValid() }
        #expect(recorder.workCancelled == 1)
        #expect(recorder.stopped == 1)
        #expect(recorder.outcome == .stoppedLeading(.cancelled))
        #expect(gauge.lastValue == 0)
        // Without releaseOnCancel the Lease is left to expire.
        #expect(try await cluster.lease("solo")[path: ["spec", "holderIdentity"]] == "alpha")
    }

    @Test func twoElectorsNeverLeadAtOnceAndFailOver() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let electors = try ["alpha", "beta"].map { identity in
            try LeaderElector(
                client: try cluster.client(), config: LeaderTestCluster.config(identity: identity, lease: "pair"),
                metricsFactory: TestMetrics())
        }
        let sampler = LeadershipSampler(electors)
        let runs = electors.map { startElection($0) }
        #expect(await eventually(within: 10) { electors.contains(where: \.isLeader) })
        // Both compete for a while: several lease durations of renewals and acquire attempts.
        try await Task.sleep(for: .seconds(3))
        let leader = electors.firstIndex { $0.isLeader }
        let leaderIndex = try #require(leader, "the leader kept leading")
        let followerIndex = 1 - leaderIndex
        #expect(!electors[followerIndex].isLeader)
        #expect(runs[followerIndex].recorder.newLeaders == [electors[leaderIndex].config.identity])

        // Fail over: stop the leader without releasing; the follower takes over once the Lease expires.
        let lastRenew = try #require(renewTime(of: try await cluster.lease("pair")))
        let stopped = ContinuousClock.now
        runs[leaderIndex].task.cancel()
        await runs[leaderIndex].task.value
        #expect(await eventually(within: 8 + 8) { electors[followerIndex].isLeader }, "lease 8 s + slack")
        let takeover = ContinuousClock.now - stopped
        #expect(takeover < .seconds(8 + 8))
        // The follower may not take over before the old renewTime + leaseDurationSeconds.
        let newLease = try await cluster.lease("pair")
        let acquired = try #require(newLease[path: ["spec", "acquireTime"]]?.stringValue.flatMap(Timestamp.parse))
        #expect(acquired >= lastRenew + 8)
        #expect(newLease[path: ["spec", "holderIdentity"]] == .string(electors[followerIndex].config.identity))
        // The next fencing token after the old leader's (its own term is 0, or 1 when a first
        // attempt that timed out on a loaded machine had already stored the Lease).
        let oldTerm = try #require(runs[leaderIndex].recorder.terms.first?.number)
        #expect(newLease[path: ["spec", "leaseTransitions"]] == .int(oldTerm + 1))
        #expect(runs[followerIndex].recorder.terms.first?.number == oldTerm + 1)

        try await Task.sleep(for: .milliseconds(500))
        await sampler.stop()
        #expect(sampler.samples > 50)
        #expect(sampler.overlaps == 0, "two electors led at the same time")
        runs[followerIndex].task.cancel()
        await runs[followerIndex].task.value
        #expect(runs.allSatisfy { $0.recorder.stopped == 1 })
    }

    @Test func releaseOnCancelHandsTheLeaseOverAtOnce() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        // A long lease, so a takeover by release is clearly faster than one by expiry.
        let electors = try ["alpha", "beta"].map { identity in
            try LeaderElector(
                client: try cluster.client(),
                config: LeaderTestCluster.config(
                    identity: identity, lease: "handover", leaseDuration: 20, renewDeadline: 6, retryPeriod: 0.2,
                    attemptTimeout: 2, releaseOnCancel: true),
                metricsFactory: TestMetrics())
        }
        let sampler = LeadershipSampler(electors)
        let runs = electors.map { startElection($0) }
        #expect(await eventually(within: 10) { electors.contains(where: \.isLeader) })
        try await Task.sleep(for: .milliseconds(500))
        let leader = electors.firstIndex { $0.isLeader }
        let leaderIndex = try #require(leader)
        let followerIndex = 1 - leaderIndex

        let stopped = ContinuousClock.now
        runs[leaderIndex].task.cancel()
        await runs[leaderIndex].task.value
        #expect(runs[leaderIndex].recorder.outcome == .stoppedLeading(.cancelled))
        #expect(cluster.leaseWrites(verb: "update", code: 200) >= 1)
        #expect(await eventually(within: 10) { electors[followerIndex].isLeader })
        #expect(ContinuousClock.now - stopped < .seconds(10), "far sooner than the 20 s lease")
        let lease = try await cluster.lease("handover")
        #expect(lease[path: ["spec", "holderIdentity"]] == .string(electors[followerIndex].config.identity))
        let oldTerm = try #require(runs[leaderIndex].recorder.terms.first?.number)
        #expect(lease[path: ["spec", "leaseTransitions"]] == .int(oldTerm + 1))
        #expect(lease[path: ["spec", "leaseDurationSeconds"]] == 20)
        await sampler.stop()
        #expect(sampler.overlaps == 0)
        runs[followerIndex].task.cancel()
        await runs[followerIndex].task.value
        // The second leader released too.
        #expect(try await cluster.lease("handover")[path: ["spec", "holderIdentity"]] == "")
        #expect(try await cluster.lease("handover")[path: ["spec", "leaseDurationSeconds"]] == 1)
    }

    /// Runs "alpha" (releasing on cancel) until it leads `lease`, merge-patches the Lease with
    /// `patch` behind its back, then cancels it and waits for its release attempt. The retry
    /// period is long, so no renewal comes between the outside write and the cancel.
    private func leadThenCancelAfterWriting(_ patch: String, lease: String, in cluster: LeaderTestCluster) async throws {
        let elector = try LeaderElector(
            client: try cluster.client(),
            config: LeaderTestCluster.config(
                identity: "alpha", lease: lease, leaseDuration: 30, renewDeadline: 20, retryPeriod: 8, attemptTimeout: 4,
                releaseOnCancel: true),
            metricsFactory: TestMetrics())
        let run = startElection(elector)
        #expect(await eventually(within: 10) { elector.isLeader })
        _ = try await cluster.client().patch(.leases, namespace: "default", name: lease, .merge(try JSONValue.parse(patch)))
        run.task.cancel()
        await run.task.value
    }

    /// The version the leader holds can be one behind when a renewal cancelled by the shutdown
    /// still reached the server, or when anyone else wrote the Lease (a label, say). The release
    /// reads the Lease again and still gives it up while it names this leader in this term.
    @Test func releaseSucceedsAfterTheLeaseWasWrittenBehindTheLeadersBack() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        try await leadThenCancelAfterWriting(#"{"metadata":{"labels":{"team":"infra"}}}"#, lease: "relabelled", in: cluster)
        let lease = try await cluster.lease("relabelled")
        #expect(lease[path: ["spec", "holderIdentity"]] == "", "released despite the newer version")
        #expect(lease[path: ["spec", "leaseDurationSeconds"]] == 1)
        #expect(lease[path: ["metadata", "labels", "team"]] == "infra", "the other write is kept")
        #expect(cluster.leaseWrites(verb: "update", code: 409) == 1)
    }

    /// A Lease taken by another identity while the leader had not yet noticed is never released
    /// by the old leader: the conflict's re-read shows the new holder and the release stops there.
    @Test func releaseLeavesALeaseTakenInTheMeantimeAlone() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        try await leadThenCancelAfterWriting(#"{"spec":{"holderIdentity":"beta"}}"#, lease: "taken", in: cluster)
        let lease = try await cluster.lease("taken")
        #expect(lease[path: ["spec", "holderIdentity"]] == "beta")
        #expect(lease[path: ["spec", "leaseDurationSeconds"]] == 30)
    }

    @Test func failingRenewalsStopLeadingBeforeTheLeaseExpires() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let metrics = TestMetrics()
        let elector = try LeaderElector(
            client: try cluster.client(), config: LeaderTestCluster.config(identity: "alpha", lease: "flaky"),
            metricsFactory: metrics)
        let sampler = LeadershipSampler([elector])
        let (task, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { recorder.terms.count == 1 })
        let term = try #require(recorder.terms.first)
        try await Task.sleep(for: .milliseconds(500))

        // From now on every Lease update fails with 500, for far longer than the renew deadline.
        cluster.sim.faults.addFailures(
            .init(remaining: 10_000, code: 500, verbs: ["update"], pathPrefix: "/apis/coordination.k8s.io/v1"))
        #expect(await eventually(within: 10) { !term.isValid })
        #expect(!elector.isLeader)
        #expect(await eventually(within: 10) { recorder.outcome != nil })
        guard case .stoppedLeading(.renewDeadlineExceeded(let lastError)) = recorder.outcome else {
            Issue.record("unexpected outcome \(String(describing: recorder.outcome))")
            return
        }
        #expect(lastError?.contains("500") == true, "\(lastError ?? "nil")")
        #expect(recorder.workCancelled == 1)
        #expect(recorder.stopped == 1)
        #expect(try metrics.expectGauge("leader_election_master_status", [("name", "flaky")]).lastValue == 0)

        // Leadership ended before the Lease (as last renewed on the server) expired.
        await sampler.stop()
        let lease = try await cluster.lease("flaky")
        let lastRenew = try #require(renewTime(of: lease))
        let lastLeading = try #require(sampler.lastSeenLeading(0))
        #expect(lastLeading < lastRenew + 8, "seen leading after its Lease expired")
        cluster.sim.faults.reset()
        await task.value
    }

    @Test func aStalledRenewalIsCutOffAndRetriedWithinTheDeadline() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let elector = try LeaderElector(
            client: try cluster.client(),
            config: LeaderTestCluster.config(
                identity: "alpha", lease: "stalled", leaseDuration: 10, renewDeadline: 8, retryPeriod: 0.2, attemptTimeout: 1),
            metricsFactory: TestMetrics())
        let (task, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { recorder.terms.count == 1 })
        let term = try #require(recorder.terms.first)
        let renewsBefore = cluster.leaseWrites(verb: "update", code: 200)
        // The next request gets no answer at all; the attempt times out after 1 s and the retry renews.
        cluster.sim.faults.stallRequests(1)
        #expect(
            await eventually(within: 10) {
                cluster.sim.faults.snapshot["stallRequests"] == 0
                    && cluster.leaseWrites(verb: "update", code: 200) > renewsBefore + 2
            })
        #expect(term.isValid)
        #expect(elector.currentTerm === term)
        #expect(recorder.terms.count == 1)
        task.cancel()
        await task.value
    }

    @Test func stalledRenewalsEndLeadershipAtTheRenewDeadline() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let elector = try LeaderElector(
            client: try cluster.client(),
            config: LeaderTestCluster.config(
                identity: "alpha", lease: "hung", leaseDuration: 3, renewDeadline: 2, retryPeriod: 0.2, attemptTimeout: 1.5),
            metricsFactory: TestMetrics())
        let sampler = LeadershipSampler([elector])
        let (task, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { recorder.terms.count == 1 })
        let term = try #require(recorder.terms.first)
        cluster.sim.faults.stallRequests(10_000)
        #expect(await eventually(within: 15) { recorder.outcome != nil })
        #expect(!term.isValid)
        guard case .stoppedLeading(.renewDeadlineExceeded(let lastError)) = recorder.outcome else {
            Issue.record("unexpected outcome \(String(describing: recorder.outcome))")
            return
        }
        #expect(lastError?.contains("timed out") == true, "\(lastError ?? "nil")")
        await sampler.stop()
        cluster.sim.faults.reset()
        let lastRenew = try #require(renewTime(of: try await cluster.lease("hung")))
        let lastLeading = try #require(sampler.lastSeenLeading(0))
        #expect(lastLeading < lastRenew + 3, "seen leading after its Lease expired")
        await task.value
    }

    @Test func aConflictOnAcquireDoesNotMakeTwoLeaders() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        // An expired Lease of a departed holder.
        let old = Timestamp.rfc3339Micro(Date().timeIntervalSince1970 - 60)
        _ = try await cluster.client().create(
            .leases, namespace: "default",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "contested", "namespace": "default"],
                "spec": [
                    "holderIdentity": "departed", "leaseDurationSeconds": 2, "acquireTime": .string(old),
                    "renewTime": .string(old), "leaseTransitions": 4,
                ],
            ])
        // Slow requests widen the window between the elector's GET and its PUT; another writer
        // takes the Lease inside it, straight in the store.
        // 1.5 s each way: the intruder's write (made as soon as the GET is counted, the moment
        // before the server reads the Lease) has 1.5 s to land before the PUT; the whole attempt
        // (GET + PUT, 3 s) stays inside its 4 s timeout.
        cluster.sim.faults.latencySeconds = 1.5
        let elector = try LeaderElector(
            client: try cluster.client(),
            config: LeaderTestCluster.config(
                identity: "alpha", lease: "contested", leaseDuration: 6, renewDeadline: 4, retryPeriod: 0.5,
                attemptTimeout: 4),
            metricsFactory: TestMetrics())
        let sampler = LeadershipSampler([elector])
        let gets: @Sendable () -> Int = { cluster.sim.stats.counts.filter { $0.key.hasPrefix("get leases") }.values.reduce(0, +) }
        let getsBefore = gets()
        let (task, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { gets() > getsBefore })
        let now = Timestamp.rfc3339Micro(Date().timeIntervalSince1970)
        cluster.sim.store.update(
            GroupResource(group: "coordination.k8s.io", resource: "leases"),
            ObjectKey(namespace: "default", name: "contested"), kind: "Lease", apiVersion: "coordination.k8s.io/v1"
        ) { current in
            var json = current?.json ?? .null
            json.set(path: ["spec", "holderIdentity"], to: "intruder")
            json.set(path: ["spec", "renewTime"], to: .string(now))
            json.set(path: ["spec", "acquireTime"], to: .string(now))
            json.set(path: ["spec", "leaseDurationSeconds"], to: 30)
            json.set(path: ["spec", "leaseTransitions"], to: 5)
            return (.put(json), ())
        }
        #expect(await eventually(within: 10) { cluster.leaseWrites(verb: "update", code: 409) >= 1 })
        #expect(await eventually(within: 10) { elector.observedLeader == "intruder" })
        try await Task.sleep(for: .seconds(1))
        #expect(!elector.isLeader)
        #expect(recorder.terms.isEmpty)
        #expect(recorder.newLeaders.contains("intruder"))
        #expect(!recorder.newLeaders.contains("alpha"))
        let lease = try await cluster.lease("contested")
        #expect(lease[path: ["spec", "holderIdentity"]] == "intruder")
        #expect(lease[path: ["spec", "leaseTransitions"]] == 5)
        await sampler.stop()
        #expect(sampler.lastSeenLeading(0) == nil)
        task.cancel()
        await task.value
        #expect(recorder.outcome == .cancelledBeforeLeading)
        #expect(recorder.stopped == 1)
    }

    @Test func anExpiredLeaseIsTakenOverWithTheNextTransition() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let old = Timestamp.rfc3339Micro(Date().timeIntervalSince1970 - 60)
        _ = try await cluster.client().create(
            .leases, namespace: "default",
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "stale", "namespace": "default", "labels": ["keep": "me"]],
                "spec": [
                    "holderIdentity": "departed", "leaseDurationSeconds": 15, "acquireTime": .string(old),
                    "renewTime": .string(old), "leaseTransitions": 7,
                ],
            ])
        let elector = try LeaderElector(
            client: try cluster.client(), config: LeaderTestCluster.config(identity: "alpha", lease: "stale"),
            metricsFactory: TestMetrics())
        let (task, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { recorder.terms.count == 1 })
        let term = try #require(recorder.terms.first?.number)
        // One successful update takes the Lease over as transition 8; only an attempt that timed
        // out on a loaded machine after its write landed can make it 9.
        #expect(term == 8 || (term == 9 && cluster.leaseWrites(verb: "update", code: 200) == 2))
        let lease = try await cluster.lease("stale")
        #expect(lease[path: ["spec", "leaseTransitions"]] == .int(term))
        #expect(lease[path: ["spec", "holderIdentity"]] == "alpha")
        #expect(lease[path: ["metadata", "labels", "keep"]] == "me", "the rest of the object is written back")
        #expect(recorder.newLeaders == ["alpha"], "reported after the attempt, as client-go does")
        task.cancel()
        await task.value
    }

    @Test func aSecondRunWhileRunningIsRefused() async throws {
        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        let elector = try LeaderElector(
            client: try cluster.client(), config: LeaderTestCluster.config(identity: "alpha", lease: "once"),
            metricsFactory: TestMetrics())
        let (task, first) = startElection(elector)
        #expect(await eventually(within: 10) { elector.isLeader })
        let firstTerm = try #require(first.terms.first?.number)
        let second = await elector.run(onStartedLeading: { _ in }, onStoppedLeading: {})
        #expect(second == .alreadyRunning)
        task.cancel()
        await task.value

        // Once run has returned, the elector may run again: the Lease still names it, so it leads
        // at once, in a new term with the next fencing token.
        let (again, recorder) = startElection(elector)
        #expect(await eventually(within: 10) { recorder.terms.count == 1 })
        #expect(recorder.terms.first?.number == firstTerm + 1)
        #expect(try await cluster.lease("once")[path: ["spec", "leaseTransitions"]] == .int(firstTerm + 1))
        again.cancel()
        await again.value
    }
}

@Suite struct LeaderElectionConfigTests {
    func config(
        leaseDuration: Double = 15, renewDeadline: Double = 10, retryPeriod: Double = 2, attempt: Double = 4,
        identity: String = "me", name: String = "lock"
    ) -> LeaderElectionConfig {
        LeaderElectionConfig(
            leaseNamespace: "default", leaseName: name, identity: identity, leaseDuration: leaseDuration,
            renewDeadline: renewDeadline, retryPeriod: retryPeriod, renewAttemptTimeout: attempt)
    }

    func kind(_ config: LeaderElectionConfig) -> LeaderElectionConfigError.Kind? {
        do {
            try config.validate()
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func defaultsAreClientGos() throws {
        let config = LeaderElectionConfig(leaseNamespace: "roost-system", leaseName: "roost-leader")
        #expect(config.leaseDuration == 15)
        #expect(config.renewDeadline == 10)
        #expect(config.retryPeriod == 2)
        #expect(config.jitterFactor == 1.2)
        #expect(config.renewAttemptTimeout == 4)
        #expect(!config.releaseOnCancel)
        #expect(config.name == "roost-leader")
        try config.validate()
    }

    @Test func defaultIdentityIsPodNameWithASuffix() {
        let first = LeaderElectionConfig.defaultIdentity(environment: ["POD_NAME": "roost-0"])
        let second = LeaderElectionConfig.defaultIdentity(environment: ["POD_NAME": "roost-0"])
        #expect(first.hasPrefix("roost-0_"))
        #expect(first != second)
        #expect(LeaderElectionConfig.defaultIdentity(environment: [:]).hasPrefix(ProcessInfo.processInfo.hostName + "_"))
    }

    @Test func invalidConfigurationsAreRejected() throws {
        #expect(kind(config(leaseDuration: 10, renewDeadline: 10)) == .leaseDurationNotGreaterThanRenewDeadline)
        #expect(kind(config(leaseDuration: 5, renewDeadline: 8)) == .leaseDurationNotGreaterThanRenewDeadline)
        #expect(kind(config(renewDeadline: 2.4, retryPeriod: 2, attempt: 2)) == .renewDeadlineNotGreaterThanJitteredRetryPeriod)
        #expect(kind(config(attempt: 4.5)) == .invalidRenewAttemptTimeout)
        #expect(kind(config(leaseDuration: 3, renewDeadline: 2, retryPeriod: 1, attempt: 3)) == .invalidRenewAttemptTimeout)
        #expect(kind(config(retryPeriod: 0)) == .nonPositiveDuration)
        #expect(kind(config(leaseDuration: -1)) == .nonPositiveDuration)
        #expect(kind(config(attempt: .nan)) == .nonPositiveDuration)
        #expect(kind(config(identity: "")) == .emptyIdentity)
        #expect(kind(config(name: "")) == .missingLease)
        #expect(kind(config(leaseDuration: 1.5, renewDeadline: 1, retryPeriod: 0.2, attempt: 0.5)) == nil)

        let error = #expect(throws: LeaderElectionConfigError.self) {
            try config(leaseDuration: 10, renewDeadline: 10).validate()
        }
        #expect(error?.description.contains("default/lock") == true)
        #expect(error?.description.contains("leaseDuration (10.0 s) must be greater than renewDeadline (10.0 s)") == true)

        let cluster = try LeaderTestCluster()
        defer { cluster.shutdown() }
        #expect(throws: LeaderElectionConfigError.self) {
            _ = try LeaderElector(client: try cluster.client(), config: config(retryPeriod: 9), metricsFactory: TestMetrics())
        }
    }

    @Test func microTimeRoundTrips() throws {
        let seconds = 1_790_000_000.123456
        let text = Timestamp.rfc3339Micro(seconds)
        #expect(text == "2026-09-21T14:13:20.123456Z")
        let parsed = try #require(Timestamp.parse(text))
        #expect(abs(parsed - seconds) < 1e-5)
        #expect(Timestamp.parse("2026-09-21T16:13:20.5+02:00") == 1_790_000_000.5)
        #expect(Timestamp.parse("2026-09-21T14:13:20Z") == 1_790_000_000)
        #expect(Timestamp.parse("yesterday") == nil)
        #expect(Timestamp.parse("2026-09-21T14:13:20") == nil)
    }
}
