import Foundation
import KubeClient
import KubeModel
import KubeSim
import RoostDemo
import Testing

@testable import Roost

@Suite struct EventRecorderTests {
    private func client(_ sim: KubeSim) throws -> KubeClient {
        try sim.adminClient(source: "test")
    }

    /// A simulated cluster without nodes.
    private func makeSim() throws -> KubeSim {
        var configuration = KubeSim.Configuration()
        configuration.nodes = []
        return try KubeSim(configuration)
    }

    private let session = EventRecorder.InvolvedObject(
        apiVersion: "roost.dev/v1alpha1", kind: "AgentSession", namespace: "default", name: "s1", uid: "u-1")

    @Test func sendsQueuedEventsWhileRunning() async throws {
        let sim = try makeSim()
        defer { sim.shutdown() }
        let client = try client(sim)
        let recorder = EventRecorder(client: client, instance: "roost-0")
        let running = Task { await recorder.run() }
        for _ in 0..<500 where !recorder.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        #expect(recorder.isRunning)
        recorder.record(.init(object: session, kind: .normal, reason: "Bound", message: "Claimed warm worker w1"))
        recorder.record(.init(object: session, kind: .warning, reason: "PlacementFailed", message: "runtime coder not found"))
        var items: [JSONValue] = []
        for _ in 0..<100 {
            items = try await client.list(.events, namespace: "default")["items"]?.arrayValue ?? []
            if items.count == 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        running.cancel()
        await running.value
        #expect(items.count == 2)
        let bound = try #require(items.first { $0["reason"] == "Bound" })
        #expect(bound["type"] == "Normal")
        #expect(bound["message"] == "Claimed warm worker w1")
        #expect(bound["involvedObject"]?["kind"] == "AgentSession")
        #expect(bound["involvedObject"]?["uid"] == "u-1")
        #expect(bound["reportingComponent"] == "roost")
        #expect(bound["reportingInstance"] == "roost-0")
        #expect(items.contains { $0["reason"] == "PlacementFailed" && $0["type"] == "Warning" })
    }

    @Test func writesNothingWhenNotRunning() async throws {
        let sim = try makeSim()
        defer { sim.shutdown() }
        let client = try client(sim)
        let recorder = EventRecorder(client: client, instance: "roost-0")
        // A follower (no run) records nothing; a term that ended drops what it had queued.
        recorder.record(.init(object: session, kind: .normal, reason: "Bound", message: "m"))
        let running = Task { await recorder.run() }
        running.cancel()
        await running.value
        recorder.record(.init(object: session, kind: .normal, reason: "Bound", message: "m"))
        try await Task.sleep(for: .milliseconds(200))
        let items = try await client.list(.events, namespace: "default")["items"]?.arrayValue ?? []
        #expect(items.isEmpty)
    }

    @Test func eventObjectNamesItsObjectAndTime() throws {
        let sim = try makeSim()
        defer { sim.shutdown() }
        let recorder = EventRecorder(client: try client(sim), component: "roost", instance: "i")
        let object = recorder.object(
            for: .init(object: session, kind: .normal, reason: "Reaped", message: "m"), at: 1_780_000_000)
        #expect(object["metadata"]?["name"]?.stringValue?.hasPrefix("s1.") == true)
        #expect(object["metadata"]?["namespace"] == "default")
        #expect(object["firstTimestamp"] == .string(Timestamp.rfc3339(1_780_000_000)))
        #expect(object["count"] == 1)
        #expect(object["source"]?["component"] == "roost")
    }
}
