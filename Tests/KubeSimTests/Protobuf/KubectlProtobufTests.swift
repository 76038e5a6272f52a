import Foundation
import KubeModel
import Testing

@testable import KubeSim

/// Real kubectl's typed commands, which send Kubernetes protobuf bodies, and `kubectl drain`,
/// which evicts through `pods/eviction`.
@Suite(.enabled(if: Kubectl.path != nil, "kubectl is not installed"))
struct KubectlProtobufTests {
    private func stored(_ sim: KubeSim, _ resource: String, _ namespace: String, _ name: String) -> JSONValue? {
        sim.store.get(GroupResource(group: "", resource: resource), ObjectKey(namespace: namespace, name: name))?.json
    }

    private func createPod(_ kubectl: Kubectl, _ name: String, node: String, labels: [String: String] = [:]) throws {
        let manifest = podManifest(name, labels: labels, extraSpec: ["nodeName": .string(node)])
        _ = try kubectl.run("create", "-f", kubectl.file("\(name).json", manifest.jsonString))
    }

    private func isReady(_ sim: KubeSim, _ name: String) -> Bool {
        stored(sim, "pods", "default", name).map(APIServer.isReady) ?? false
    }

    @Test func typedCreateCommands() async throws {
        try await Kubectl.withCluster { kubectl, sim in
            #expect(try kubectl.run("create", "namespace", "team").output == "namespace/team created")
            let namespace = try #require(stored(sim, "namespaces", "", "team"))
            #expect(namespace[path: ["status", "phase"]] == "Active")
            #expect(namespace[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)

            let created = try kubectl.run("create", "configmap", "c", "--from-literal=a=b", "-v=8")
            #expect(created.output == "configmap/c created")
            #expect(
                created.error.contains("Content-Type: application/vnd.kubernetes.protobuf"),
                "kubectl's typed create sends protobuf")
            let configMap = try #require(stored(sim, "configmaps", "default", "c"))
            #expect(configMap["data"] == ["a": "b"])
            #expect(configMap["binaryData"] == nil)

            #expect(
                try kubectl.run("create", "secret", "generic", "s", "--from-literal=k=v").output == "secret/s created")
            let secret = try #require(stored(sim, "secrets", "default", "s"))
            #expect(secret["data"] == ["k": "dg=="], "bytes travel as base64, as in JSON")
            #expect(secret["type"] == nil || secret["type"] == "Opaque")
            #expect(try kubectl.run("get", "secret", "s", "-o", "jsonpath={.data.k}").output == "dg==")

            #expect(try kubectl.run("create", "serviceaccount", "robot", "-n", "team").output == "serviceaccount/robot created")
            let account = try #require(stored(sim, "serviceaccounts", "team", "robot"))
            #expect(account[path: ["metadata", "namespace"]] == "team")

            // Typed deletes send protobuf DeleteOptions.
            #expect(try kubectl.run("delete", "configmap", "c").output.contains("deleted"))
            #expect(stored(sim, "configmaps", "default", "c") == nil)
        }
    }

    @Test func drainEvictsPods() async throws {
        try await Kubectl.withCluster { kubectl, sim in
            try createPod(kubectl, "lonely", node: "default-0")
            #expect(eventually { isReady(sim, "lonely") })
            let drained = try kubectl.run(
                "drain", "default-0", "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=60s")
            #expect(drained.output.contains("evicting pod default/lonely"), "\(drained.output) \(drained.error)")
            #expect(drained.output.contains("pod/lonely evicted"))
            #expect(drained.output.contains("node/default-0 drained"))
            #expect(stored(sim, "pods", "default", "lonely") == nil)
            #expect(stored(sim, "nodes", "", "default-0")?[path: ["spec", "unschedulable"]] == true)

            // Without eviction, drain deletes through the typed client: protobuf DeleteOptions.
            try createPod(kubectl, "other", node: "default-1")
            #expect(eventually { isReady(sim, "other") })
            let deleted = try kubectl.run(
                "drain", "default-1", "--ignore-daemonsets", "--force", "--disable-eviction", "--grace-period=0",
                "--timeout=60s", "-v=8")
            #expect(deleted.output.contains("pod/other deleted"), "\(deleted.output)")
            #expect(deleted.error.contains("Content-Type: application/vnd.kubernetes.protobuf"))
            #expect(stored(sim, "pods", "default", "other") == nil)
        }
    }

    @Test func drainRespectsDisruptionBudgets() async throws {
        try await Kubectl.withCluster { kubectl, sim in
            try createPod(kubectl, "guarded-0", node: "default-0", labels: ["app": "guarded"])
            try createPod(kubectl, "guarded-1", node: "default-1", labels: ["app": "guarded"])
            #expect(eventually { isReady(sim, "guarded-0") && isReady(sim, "guarded-1") })
            // `kubectl create poddisruptionbudget` would send protobuf, which is not described for PDBs.
            let budget = kubectl.file(
                "pdb.yaml",
                "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: guard\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels:\n      app: guarded\n"
            )
            _ = try kubectl.run("create", "-f", budget)
            let refused = try kubectl.run(
                "drain", "default-0", "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=5s",
                expectFailure: true)
            #expect(
                refused.error.contains("Cannot evict pod as it would violate the pod's disruption budget."),
                "\(refused.output) \(refused.error)")
            #expect(refused.error.contains("global timeout reached: 5s"), "\(refused.error)")
            let pod = try #require(stored(sim, "pods", "default", "guarded-0"))
            #expect(pod[path: ["metadata", "deletionTimestamp"]] == nil)
        }
    }
}
