import Foundation
import KubeModel
import KubeSim
import Roost
import Testing

/// The generated CRDs served by the simulated API server: defaults filled in, invalid objects
/// refused with 422, user fields in the template kept.
@Suite struct CRDClusterTests {
    static let runtimes = "/apis/roost.dev/v1alpha1/namespaces/default/agentruntimes"
    static let sessions = "/apis/roost.dev/v1alpha1/namespaces/default/agentsessions"

    static func install(_ sim: KubeSim) throws {
        for definition in RoostCRDs.all {
            let created = sim.call(
                "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition.object)
            guard created.status == 201 else {
                throw Kubectl.Failure(
                    description: "creating \(definition.fileName): \(created.status) \(created.body.jsonString)")
            }
        }
    }

    static func runtime(_ name: String, spec: JSONValue) -> JSONValue {
        ["apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "metadata": ["name": .string(name)], "spec": spec]
    }

    static let template: JSONValue = [
        "metadata": ["labels": ["app": "coder"]],
        "spec": [
            "containers": [["name": "main", "image": "coder:1", "someFutureField": ["kept": true]]],
            "runtimeClassName": "gvisor", "notAPodSpecField": [1, "two"],
        ],
    ]

    @Test func validRuntimeIsAcceptedWithDefaultsAndItsTemplateIntact() async throws {
        try await withSim { sim in
            try Self.install(sim)
            let created = sim.call("POST", Self.runtimes, Self.runtime("coder", spec: ["template": Self.template]))
            #expect(created.status == 201, "\(created.body.jsonString)")
            let stored = sim.call("GET", Self.runtimes + "/coder")
            #expect(stored.body[path: ["spec", "template"]] == Self.template)
            #expect(
                stored.body[path: ["spec", "pool"]] == [
                    "minIdle": 0, "maxWorkers": 100, "idleTimeout": "5m", "reuseWorkers": true,
                ])
            #expect(stored.body[path: ["spec", "machine"]] == "default")
            #expect(stored.body[path: ["spec", "nodeStickiness", "enabled"]] == false)
            #expect(stored.body[path: ["spec", "maxSessionDuration"]] == "8h")
            let decoded = try AgentRuntime.decode(stored.body.jsonString)
            #expect(decoded.spec.template == Self.template)
            #expect(decoded.usabilityProblem() == nil)

            // A status write through the subresource, as the reconciler sends it, is accepted and read back.
            let status = AgentRuntime.Status(
                observedGeneration: 1, workers: 1, starting: 1,
                conditions: [
                    CoreV1.Condition(
                        type: "Ready", status: "False", lastTransitionTime: "2026-01-02T03:04:05Z", reason: "Starting")
                ])
            let patched = sim.call(
                "PATCH", Self.runtimes + "/coder/status", status.mergePatch(), contentType: "application/merge-patch+json")
            #expect(patched.status == 200, "\(patched.body.jsonString)")
            #expect(try AgentRuntime.decode(sim.call("GET", Self.runtimes + "/coder").body.jsonString).status == status)
        }
    }

    @Test func invalidRuntimesAreRefused() async throws {
        try await withSim { sim in
            try Self.install(sim)
            let negative = sim.call(
                "POST", Self.runtimes, Self.runtime("neg", spec: ["template": Self.template, "pool": ["minIdle": -1]]))
            #expect(negative.status == 422)
            #expect(negative.body["message"]?.stringValue?.contains("spec.pool.minIdle") == true)
            let noTemplate = sim.call("POST", Self.runtimes, Self.runtime("bare", spec: ["machine": "default"]))
            #expect(noTemplate.status == 422)
            #expect(noTemplate.body["message"]?.stringValue?.contains("spec.template: Required value") == true)
            let badDuration = sim.call(
                "POST", Self.runtimes,
                Self.runtime("dur", spec: ["template": Self.template, "pool": ["idleTimeout": "5 minutes"]]))
            #expect(badDuration.status == 422)
            let badQuantity = sim.call(
                "POST", Self.runtimes,
                Self.runtime("q", spec: ["template": Self.template, "machines": ["big": ["requests": ["cpu": "lots"]]]]))
            #expect(badQuantity.status == 422)
        }
    }

    @Test func sessionsValidateTheirSpecAndStatusEnums() async throws {
        try await withSim { sim in
            try Self.install(sim)
            let session: JSONValue = [
                "apiVersion": "roost.dev/v1alpha1", "kind": "AgentSession", "metadata": ["name": "s1"],
                "spec": ["runtimeRef": ["name": "coder"]],
            ]
            #expect(sim.call("POST", Self.sessions, session).status == 201)
            let stored = try AgentSession.decode(sim.call("GET", Self.sessions + "/s1").body.jsonString)
            #expect(stored.spec.triggerSource == "api")

            var missing = session
            missing.set(path: ["metadata", "name"], to: "s2")
            missing.set(path: ["spec", "runtimeRef"], to: nil)
            #expect(sim.call("POST", Self.sessions, missing).status == 422)

            let badPhase = sim.call(
                "PATCH", Self.sessions + "/s1/status", ["status": ["phase": "Exploded"]],
                contentType: "application/merge-patch+json")
            #expect(badPhase.status == 422)
            #expect(badPhase.body["message"]?.stringValue?.contains("status.phase: Unsupported value: \"Exploded\"") == true)
            let badKind = sim.call(
                "PATCH", Self.sessions + "/s1/status", ["status": ["placement": ["kind": "teleported"]]],
                contentType: "application/merge-patch+json")
            #expect(badKind.status == 422)

            let ready = AgentSessionTests.boundStatus
            let patched = sim.call(
                "PATCH", Self.sessions + "/s1/status", ready.mergePatch(resourceVersion: stored.metadata.resourceVersion),
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200, "\(patched.body.jsonString)")
            // The same resourceVersion again is stale now: 409, never a blind overwrite.
            let stale = sim.call(
                "PATCH", Self.sessions + "/s1/status", ready.mergePatch(resourceVersion: stored.metadata.resourceVersion),
                contentType: "application/merge-patch+json")
            #expect(stale.status == 409)
            var released = ready
            released.phase = .released
            released.podName = ""
            released.nodeName = ""
            released.podIP = ""
            let cleared = sim.call(
                "PATCH", Self.sessions + "/s1/status", released.mergePatch(), contentType: "application/merge-patch+json")
            #expect(cleared.status == 200)
            #expect(try AgentSession.decode(sim.call("GET", Self.sessions + "/s1").body.jsonString).status == released)
        }
    }

    @Test(.enabled(if: Kubectl.path != nil, "kubectl is not installed"))
    func kubectlAppliesTheCommittedManifestsAndListsRuntimes() async throws {
        let crds = CRDManifestTests.repositoryRoot.appendingPathComponent("crds").path
        try await Kubectl.withCluster { kubectl, _ in
            let applied = try kubectl.run("apply", "-f", crds)
            #expect(applied.contains("customresourcedefinition.apiextensions.k8s.io/agentruntimes.roost.dev created"))
            #expect(applied.contains("customresourcedefinition.apiextensions.k8s.io/agentsessions.roost.dev created"))
            let manifest = kubectl.directory.appendingPathComponent("coder.yaml")
            try Data(
                """
                apiVersion: roost.dev/v1alpha1
                kind: AgentRuntime
                metadata:
                  name: coder
                spec:
                  template:
                    spec:
                      containers:
                      - name: main
                        image: coder:1
                  pool:
                    minIdle: 2
                    maxWorkers: 5
                """.utf8
            ).write(to: manifest)
            #expect(try kubectl.run("apply", "-f", manifest.path).contains("agentruntime.roost.dev/coder created"))
            let table = try kubectl.run("get", "agentruntimes")
            let lines = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(lines.first == ["NAME", "MINIDLE", "MAXWORKERS", "IDLE", "BUSY", "STARTING", "READY", "REASON", "AGE"])
            #expect(lines.dropFirst().first?.prefix(3) == ["coder", "2", "5"])
            #expect(try kubectl.run("get", "art", "-o", "name") == "agentruntime.roost.dev/coder\n")
            #expect(try kubectl.run("get", "roost", "-o", "name") == "agentruntime.roost.dev/coder\n")
            #expect(try kubectl.run("get", "ases").isEmpty)
            // The CRD schemas are published in OpenAPI v3, so kubectl explain reads their descriptions.
            let explained = try kubectl.run("explain", "agentruntime.spec.pool")
            #expect(explained.contains("minIdle"), "\(explained)")
            #expect(explained.contains("GROUP:      roost.dev") || explained.contains("roost.dev"))
        }
    }
}
