import Foundation
import KubeClient
import KubeModel
import Testing

@testable import Roost

/// Killing the controller mid-way and starting another double-binds nothing and loses no session.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FailoverEndToEndTests {
    @Test func restartMidWayDoubleBindsNothingAndLosesNoSession() async throws {
        try await withRoostCluster(pools: [("general", 4)]) { cluster in
            let first = try cluster.startOperator()
            try await cluster.createRuntime(
                "coder",
                spec: ["template": ["spec": ["containers": [["name": "agent", "image": "coder:1"]]]], "pool": ["minIdle": 4]])
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 4 })
            let names = (1...20).map { "s\($0)" }
            for name in names.prefix(10) { try await cluster.createSession(name, runtime: "coder") }
            try await Task.sleep(for: .milliseconds(150))
            await cluster.kill(first)
            for name in names.suffix(10) { try await cluster.createSession(name, runtime: "coder") }
            try cluster.startOperator()
            #expect(
                try await eventually(timeout: 30) {
                    for name in names where try await cluster.session(name)?.status.phase != .ready { return false }
                    return true
                })
            let workers = try await cluster.workers()
            var workerOf: [String: String] = [:]
            for worker in workers where worker.state == "busy" {
                let session = try #require(worker.session)
                #expect(workerOf[session] == nil, "session \(session) is bound to two workers")
                workerOf[session] = worker.metadata.name
            }
            for name in names {
                let session = try #require(try await cluster.session(name))
                #expect(workerOf[name] == session.status.podName, "session \(name) and its worker agree")
            }
            #expect(Set(workerOf.values).count == names.count, "no worker serves two sessions")
        }
    }

    @Test func busyWorkerOfAMissingSessionIsReleasedWithAnEvent() async throws {
        try await withRoostCluster(pools: [("general", 2)]) { cluster in
            try await cluster.createRuntime(
                "coder",
                spec: ["template": ["spec": ["containers": [["name": "agent", "image": "coder:1"]]]], "pool": ["minIdle": 1]])
            let roost = try cluster.startOperator()
            #expect(try await eventually { try await cluster.workers().filter(\.isReady).count == 1 })
            await cluster.kill(roost)
            let worker = try #require(try await cluster.workers().first)
            _ = try await cluster.client.patch(
                .pods, namespace: cluster.namespace, name: worker.metadata.name,
                .merge([
                    "metadata": [
                        "labels": ["roost.dev/state": "busy"], "annotations": ["roost.dev/session": "ghost"],
                    ]
                ]))
            try cluster.startOperator()
            #expect(
                try await eventually {
                    try await cluster.workers().first { $0.metadata.name == worker.metadata.name }?.state == "idle"
                })
            #expect(
                try await eventually {
                    try await cluster.events(reason: "Released").contains {
                        ($0["message"]?.stringValue ?? "").contains("ghost")
                    }
                })
        }
    }
}
