import Foundation
import KubeModel
import KubeSim
import Metrics
import MetricsTestKit
import Testing

@testable import KubeClient

/// Bootstrapped once per test process, before any client is made in these tests.
let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()

/// A TLS simulated cluster, a kubeconfig for it in a temporary directory, and a client.
struct ClientFixture {
    let sim: KubeSim
    let directory: URL
    let kubeconfig: String

    init(tls: Bool = true, timeScale: Double = 0.01) throws {
        _ = testMetrics
        var configuration = KubeSim.Configuration()
        configuration.tls = tls
        configuration.nodes = [NodeGroup(pool: "default", count: 2)]
        configuration.timing.timeScale = timeScale
        configuration.historyLimit = 1000
        sim = try KubeSim(configuration)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
        try sim.writeKubeconfig(to: kubeconfig)
    }

    func client(context: String? = nil, options: KubeClient.Options = ClientFixture.fastOptions) throws -> KubeClient {
        let configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig, context: context, environment: [:])
        return try KubeClient(configuration: configuration, options: options)
    }

    static var fastOptions: KubeClient.Options {
        var options = KubeClient.Options()
        options.retry = RetryPolicy(maxRetries: 3, baseDelay: 0.01, maxDelay: 0.2, jitter: 0)
        return options
    }

    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }

    /// A kubeconfig for the same cluster with a different user stanza.
    func kubeconfig(user: String) throws -> String {
        let base = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        let cluster = base.components(separatedBy: "users:")[0]
        let text =
            cluster + "users:\n- name: u\n  user:\n" + user
            + "contexts:\n- name: c\n  context:\n    cluster: roost-sim\n    user: u\ncurrent-context: c\n"
        return try write("kubeconfig-\(UUID().uuidString)", text)
    }

    func shutdown() {
        sim.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

let configMap = ResourceDescriptor.configMaps

func configMapObject(_ name: String, data: JSONObject = [:]) -> JSONValue {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": .object(data)]
}

@Suite struct ClientAuthTests {
    @Test func tokenAndClientCertificateContexts() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        let byToken = try fixture.client()
        let pods = try await byToken.list(CoreV1.Pod.self, .pods, namespace: "default")
        #expect(pods.items.isEmpty)
        let byCertificate = try fixture.client(context: "roost-sim-cert")
        let nodes = try await byCertificate.list(CoreV1.Node.self, .nodes)
        #expect(nodes.items.map(\.metadata.name) == ["default-0", "default-1"])
    }

    @Test func tokenFileRotationIsPickedUpAfter401() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        fixture.sim.authenticator.setToken("first", user: "robot")
        let tokenFile = try fixture.write("token", "first\n")
        let path = try fixture.kubeconfig(user: "    tokenFile: \(tokenFile)\n")
        let client = try KubeClient(
            configuration: try ClientConfiguration.load(kubeconfigPath: path, environment: [:]),
            options: ClientFixture.fastOptions)
        _ = try await client.get(.namespaces, name: "default")
        // Rotate: the server forgets the old token, the file holds the new one.
        fixture.sim.authenticator.setToken("second", user: "robot")
        fixture.sim.authenticator.removeToken("first")
        _ = try fixture.write("token", "second\n")
        let namespace = try await client.get(CoreV1.Node.self, .nodes, name: "default-0")
        #expect(namespace.metadata.name == "default-0")
    }

    @Test func execPluginSuppliesTheToken() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        fixture.sim.authenticator.setToken("from-plugin", user: "plugin-user")
        let counter = fixture.directory.appendingPathComponent("runs").path
        let script = try fixture.write(
            "plugin.sh",
            """
            #!/bin/sh
            echo run >> \(counter)
            cat <<'JSON'
            {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin","expirationTimestamp":"2099-01-01T00:00:00Z"}}
            JSON
            """, executable: true)
        let path = try fixture.kubeconfig(
            user:
                "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: \(script)\n      interactiveMode: Never\n"
        )
        let client = try KubeClient(
            configuration: try ClientConfiguration.load(kubeconfigPath: path, environment: [:]),
            options: ClientFixture.fastOptions)
        for _ in 0..<3 { _ = try await client.get(.namespaces, name: "default") }
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        #expect(runs == 1, "the credential is cached until it expires")
    }

    @Test func wrongCredentialsAre401() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        let path = try fixture.kubeconfig(user: "    token: not-a-valid-token\n")
        let client = try KubeClient(
            configuration: try ClientConfiguration.load(kubeconfigPath: path, environment: [:]),
            options: ClientFixture.fastOptions)
        do {
            _ = try await client.get(.namespaces, name: "default")
            Issue.record("expected 401")
        } catch {
            #expect(error.code == 401)
            #expect(error.reason == "Unauthorized")
        }
    }
}

@Suite struct ClientVerbTests {
    @Test func everyVerbAndPatchType() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        let client = try fixture.client()
        let created = try await client.create(configMap, namespace: "default", configMapObject("c", data: ["a": "1"]))
        #expect(created[path: ["metadata", "uid"]] != nil)

        var changed = created
        changed["data"] = ["a": "2"]
        let updated = try await client.update(configMap, namespace: "default", changed)
        #expect(updated[path: ["data", "a"]] == "2")

        let merged = try await client.patch(configMap, namespace: "default", name: "c", .merge(["data": ["b": "3"]]))
        #expect(merged[path: ["data", "b"]] == "3")
        let jsonPatched = try await client.patch(
            configMap, namespace: "default", name: "c",
            .json([["op": "test", "path": "/data/a", "value": "2"], ["op": "remove", "path": "/data/b"]]))
        #expect(jsonPatched[path: ["data", "b"]] == nil)
        let strategic = try await client.patch(
            configMap, namespace: "default", name: "c", .strategic(["metadata": ["labels": ["x": "y"]]]))
        #expect(strategic[path: ["metadata", "labels", "x"]] == "y")
        let applied = try await client.patch(
            configMap, namespace: "default", name: "applied",
            .apply(configMapObject("applied", data: ["k": "v"]), fieldManager: "roost-test", force: true))
        #expect(applied[path: ["data", "k"]] == "v")
        #expect(applied[path: ["metadata", "managedFields"]]?.arrayValue?.first?["manager"] == "roost-test")

        let fetched = try await client.get(configMap, namespace: "default", name: "c")
        #expect(fetched[path: ["data", "a"]] == "2")
        let page = try await client.list(configMap, namespace: "default", options: ListOptions(limit: 1))
        #expect(page["items"]?.arrayValue?.count == 1)
        #expect(page[path: ["metadata", "continue"]]?.stringValue?.isEmpty == false)

        // updateStatus on pods (the kubelet's verb).
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
            "spec": ["containers": [["name": "c", "image": "busybox"]], "schedulerName": "manual"],
        ]
        var stored = try await client.create(.pods, namespace: "default", pod)
        stored.set(path: ["status", "message"], to: "hello")
        let status = try await client.updateStatus(.pods, namespace: "default", stored)
        #expect(status[path: ["status", "message"]] == "hello")
        let typed = try await client.get(CoreV1.Pod.self, .pods, namespace: "default", name: "p")
        #expect(typed.status.message == "hello")

        let uid = fetched[path: ["metadata", "uid"]]?.stringValue ?? ""
        do {
            try await client.delete(configMap, namespace: "default", name: "c", options: DeleteOptions(uid: "wrong"))
            Issue.record("a wrong uid precondition must fail")
        } catch {
            #expect(error.isConflict)
        }
        try await client.delete(configMap, namespace: "default", name: "c", options: DeleteOptions(uid: uid))
        do {
            _ = try await client.get(configMap, namespace: "default", name: "c")
            Issue.record("deleted object must be gone")
        } catch {
            #expect(error.isNotFound)
        }
    }

    @Test func statusErrorsAreDecoded() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        let client = try fixture.client()
        func failure(_ body: () async throws(KubeError) -> Void) async -> KubeError? {
            do { try await body() } catch { return error }
            return nil
        }
        let notFound = await failure { () async throws(KubeError) in
            _ = try await client.get(configMap, namespace: "default", name: "missing")
        }
        guard case .api(let status404)? = notFound else { Issue.record("no 404"); return }
        #expect(status404.code == 404)
        #expect(status404.reason == "NotFound")
        #expect(status404.name == "missing")
        #expect(status404.kind == "configmaps")

        _ = try await client.create(configMap, namespace: "default", configMapObject("dup"))
        let exists = await failure { () async throws(KubeError) in
            _ = try await client.create(configMap, namespace: "default", configMapObject("dup"))
        }
        #expect(exists?.isAlreadyExists == true)
        #expect(exists?.code == 409)

        let crd: ResourceDescriptor = .customResourceDefinitions
        let badCRD: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "x.y"],
            "spec": ["group": "y", "names": ["plural": "zs", "kind": "Z"], "scope": "Namespaced", "versions": []],
        ]
        let invalid = await failure { () async throws(KubeError) in _ = try await client.create(crd, badCRD) }
        guard case .api(let status422)? = invalid else { Issue.record("no 422"); return }
        #expect(status422.code == 422)
        #expect(status422.reason == "Invalid")
        #expect(!status422.causes.isEmpty)
        #expect(status422.causes.allSatisfy { !$0.field.isEmpty })

        // Strategic merge patch on a custom resource: 415 UnsupportedMediaType.
        let gadgetCRD: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "gadgets.example.roost.dev"],
            "spec": [
                "group": "example.roost.dev", "scope": "Namespaced", "names": ["plural": "gadgets", "kind": "Gadget"],
                "versions": [
                    [
                        "name": "v1", "served": true, "storage": true,
                        "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                    ]
                ],
            ],
        ]
        _ = try await client.create(crd, gadgetCRD)
        let gadgets = ResourceDescriptor(
            group: "example.roost.dev", version: "v1", plural: "gadgets", namespaced: true, kind: "Gadget")
        _ = try await client.create(
            gadgets, namespace: "default", ["apiVersion": "example.roost.dev/v1", "kind": "Gadget", "metadata": ["name": "g"]])
        let unsupported = await failure { () async throws(KubeError) in
            _ = try await client.patch(gadgets, namespace: "default", name: "g", .strategic(["spec": ["a": 1]]))
        }
        #expect(unsupported?.code == 415)
        #expect(unsupported?.reason == "UnsupportedMediaType")
        let merged = try await client.patch(gadgets, namespace: "default", name: "g", .merge(["spec": ["a": 1]]))
        #expect(merged[path: ["spec", "a"]] == 1)

        // 410 for a continue token older than the history.
        for index in 0..<3 { _ = try await client.create(configMap, namespace: "default", configMapObject("p\(index)")) }
        let page = try await client.list(configMap, namespace: "default", options: ListOptions(limit: 1))
        let token = page[path: ["metadata", "continue"]]?.stringValue
        _ = try await client.create(configMap, namespace: "default", configMapObject("later"))
        fixture.sim.store.compact()
        let expired = await failure { () async throws(KubeError) in
            _ = try await client.list(configMap, namespace: "default", options: ListOptions(limit: 1, continueToken: token))
        }
        #expect(expired?.isExpired == true)
        #expect(expired?.reason == "Expired")

        // 415 for a media type the server does not take.
        let media = await failure { () async throws(KubeError) in
            _ = try await client.patch(configMap, namespace: "default", name: "dup", .strategic(["data": ["x": "y"]]))
        }
        #expect(media == nil, "strategic merge works on built-in kinds")
    }
}

@Suite struct ClientWatchTests {
    @Test func typedWatchBookmarksAndExpiredErrors() async throws {
        let fixture = try ClientFixture()
        defer { fixture.shutdown() }
        let client = try fixture.client()
        let list = try await client.list(CoreV1.Pod.self, .pods, namespace: "default")
        let events = try await client.watch(
            CoreV1.Pod.self, .pods, namespace: "default", options: WatchOptions(resourceVersion: list.metadata.resourceVersion))
        _ = try await client.create(
            .pods, namespace: "default",
            [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "w"],
                "spec": ["containers": [["name": "c", "image": "busybox"]]],
            ])
        var iterator = events.makeAsyncIterator()
        var sawRunning = false
        var sawAdded = false
        while let event = try await iterator.next() {
            if event.type == .added { sawAdded = true }
            if case .object(let pod) = event.payload, pod.status.phase == "Running" {
                sawRunning = true
                break
            }
        }
        #expect(sawAdded)
        #expect(sawRunning, "the kubelet's status updates arrive as MODIFIED")
        events.cancel()

        // A resume point older than the history: the ERROR event surfaces as a 410 error.
        for index in 0..<5 { _ = try await client.create(configMap, namespace: "default", configMapObject("h\(index)")) }
        fixture.sim.store.compact()
        _ = try await client.create(configMap, namespace: "default", configMapObject("after"))
        let stale = try await client.watch(
            CoreV1.Pod.self, .pods, namespace: "default", options: WatchOptions(resourceVersion: list.metadata.resourceVersion))
        do {
            for try await _ in stale {}
            Issue.record("expected a 410 error event")
        } catch {
            #expect(error.isExpired)
            #expect(error.code == 410)
        }

        // A streaming list ends its initial events with a bookmark.
        let streaming = try await client.watch(
            CoreV1.Node.self, .nodes, options: WatchOptions(sendInitialEvents: true))
        var names: [String] = []
        for try await event in streaming {
            if case .object(let node) = event.payload { names.append(node.metadata.name) }
            if case .bookmark(let bookmark) = event.payload, bookmark.isInitialEventsEnd { break }
        }
        #expect(names == ["default-0", "default-1"])
        streaming.cancel()
    }

    @Test func largeObjectsSpanChunks() async throws {
        let fixture = try ClientFixture(tls: false)
        defer { fixture.shutdown() }
        let client = try fixture.client()
        let events = try await client.watch(configMap, namespace: "default")
        let blob = String(repeating: "0123456789", count: 60_000)
        for index in 0..<5 {
            _ = try await client.create(
                configMap, namespace: "default", configMapObject("big-\(index)", data: ["blob": .string(blob)]))
        }
        var count = 0
        for try await event in events {
            #expect(event.object?[path: ["data", "blob"]]?.stringValue?.count == 600_000)
            count += 1
            if count == 5 { break }
        }
        #expect(count == 5)
        events.cancel()
    }

    @Test func stalledWatchIsDetectedAndCancellationStopsIt() async throws {
        let fixture = try ClientFixture(tls: false)
        defer { fixture.shutdown() }
        var options = ClientFixture.fastOptions
        options.watchIdleGrace = 0.5
        let client = try fixture.client(options: options)
        // Stalled from the start: the response head still arrives, then nothing at all.
        fixture.sim.faults.stallWatches = true
        let events = try await client.watch(.namespaces, options: WatchOptions(timeoutSeconds: 1))
        let start = Date()
        do {
            for try await _ in events {}
            Issue.record("a stalled watch must fail")
        } catch {
            guard case .transport(.idle, _) = error else {
                Issue.record("expected an idle timeout, got \(error)")
                return
            }
        }
        #expect(Date().timeIntervalSince(start) < 5)
        fixture.sim.faults.stallWatches = false

        let watch = try await client.watch(.namespaces)
        let consumer = Task { () async throws(KubeError) -> Int in
            var count = 0
            for try await _ in watch { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(200))
        consumer.cancel()
        let result = await consumer.result
        #expect(throws: KubeError.self) { try result.get() }
        #expect(await eventuallyAsync { fixture.sim.store.watcherCount == 0 })
    }
}

@Suite struct ClientResilienceTests {
    @Test func throttledWatchIsRetriedAfterTheServersDelay() async throws {
        let fixture = try ClientFixture(tls: false)
        defer { fixture.shutdown() }
        var options = ClientFixture.fastOptions
        options.retry.maxDelay = 5  // so the server's 1 s is honoured, not capped to the 0.2 s backoff limit
        let client = try fixture.client(options: options)
        let list = try await client.list(configMap, namespace: "default")
        fixture.sim.stats.reset()
        fixture.sim.faults.addFailures(.init(remaining: 1, code: 429, retryAfterSeconds: 1, verbs: ["watch"]))

        let start = ContinuousClock.now
        let events = try await client.watch(
            configMap, namespace: "default",
            options: WatchOptions(resourceVersion: list[path: ["metadata", "resourceVersion"]]?.stringValue))
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(950), "Retry-After: 1 is waited out, not the 10 ms backoff (waited \(waited))")
        #expect(fixture.sim.stats.counts["watch configmaps"] == 2, "one throttled attempt, then the watch")

        _ = try await client.create(configMap, namespace: "default", configMapObject("after-throttle"))
        var iterator = events.makeAsyncIterator()
        let event = try await iterator.next()
        #expect(event?.type == .added)
        #expect(event?.object?[path: ["metadata", "name"]] == "after-throttle")
        events.cancel()
        #expect(fixture.sim.stats.counts["watch configmaps"] == 2)

        let retries = testMetrics.counters(label: "rest_client_request_retries_total")
        #expect(
            retries.contains { counter in
                counter.dimensions.contains { $0 == ("verb", "watch") } && counter.dimensions.contains { $0 == ("code", "429") }
            })
    }

    @Test func throttlingAndRetriableErrorsAreRetried() async throws {
        let fixture = try ClientFixture(tls: false)
        defer { fixture.shutdown() }
        let client = try fixture.client()
        fixture.sim.stats.reset()
        fixture.sim.faults.addFailures(.init(remaining: 2, code: 429, retryAfterSeconds: 0, verbs: ["list"]))
        let list = try await client.list(configMap, namespace: "default")
        #expect(list["kind"] == "ConfigMapList")
        #expect(fixture.sim.stats.counts["list configmaps"] == 3, "two throttled attempts, then success")

        // 429 is retried for writes too.
        fixture.sim.faults.addFailures(.init(remaining: 1, code: 429, retryAfterSeconds: 0, verbs: ["create"]))
        _ = try await client.create(configMap, namespace: "default", configMapObject("retried"))
        #expect(fixture.sim.stats.counts["create configmaps"] == 2)

        // A 500 with Retry-After is retried; without it, it is final.
        fixture.sim.faults.addFailures(.init(remaining: 1, code: 500, retryAfterSeconds: 0, verbs: ["get"]))
        _ = try await client.get(configMap, namespace: "default", name: "retried")
        fixture.sim.faults.addFailures(.init(remaining: 1, code: 500, verbs: ["get"]))
        do {
            _ = try await client.get(configMap, namespace: "default", name: "retried")
            Issue.record("a plain 500 is not retried")
        } catch {
            #expect(error.code == 500)
            #expect(error.reason == "InternalError")
        }

        // The retry budget ends: the last status is the error.
        fixture.sim.faults.addFailures(.init(remaining: 10, code: 503, retryAfterSeconds: 0, verbs: ["list"]))
        do {
            _ = try await client.list(configMap, namespace: "default")
            Issue.record("retries are bounded")
        } catch {
            #expect(error.code == 503)
        }
        fixture.sim.faults.reset()

        let retries = testMetrics.counters(label: "rest_client_request_retries_total")
        #expect(!retries.isEmpty)
        let requests = testMetrics.counters(label: "rest_client_requests_total")
        #expect(requests.contains { counter in counter.dimensions.contains { $0 == ("code", "429") } })
        #expect(requests.contains { counter in counter.dimensions.contains { $0 == ("method", "GET") } })
        let host = fixture.sim.url.replacingOccurrences(of: "http://", with: "")
        #expect(requests.contains { counter in counter.dimensions.contains { $0 == ("host", host) } })
    }

    @Test func connectionFailuresOnSafeVerbsAreRetriedThenReported() async throws {
        let configuration = ClientConfiguration(
            server: "http://127.0.0.1:1", tls: TLSSettings(), credentials: StaticCredentialProvider(Credentials()),
            namespace: "default", source: "test")
        var options = ClientFixture.fastOptions
        options.connectTimeout = 1
        let client = try KubeClient(configuration: configuration, options: options)
        do {
            _ = try await client.get(.namespaces, name: "default")
            Issue.record("nothing listens on port 1")
        } catch {
            guard case .transport(.curl, let request) = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(request == "GET /api/v1/namespaces/default")
        }
    }

    @Test func tokenBucketSpacesRequests() {
        let clock = ManualClock()
        let bucket = TokenBucket(qps: 10, burst: 2, clock: { clock.now })
        #expect(bucket.reserve() == 0)
        #expect(bucket.reserve() == 0)
        let third = bucket.reserve()
        #expect(abs(third - 0.1) < 1e-9)
        let fourth = bucket.reserve()
        #expect(abs(fourth - 0.2) < 1e-9, "waiters queue behind each other")
        clock.now += 10
        #expect(bucket.reserve() == 0, "the bucket refills up to its burst")
        #expect(bucket.reserve() == 0)
        #expect(bucket.reserve() > 0)
    }

    @Test func retryPolicyDecisions() {
        let policy = RetryPolicy(maxRetries: 2, baseDelay: 1, maxDelay: 8, jitter: 0)
        #expect(policy.delay(attempt: 1, method: "GET", outcome: .transport(.curl(code: 56, message: "reset"))) == 1)
        #expect(policy.delay(attempt: 2, method: "GET", outcome: .transport(.curl(code: 56, message: "reset"))) == 2)
        #expect(policy.delay(attempt: 3, method: "GET", outcome: .transport(.curl(code: 56, message: "reset"))) == nil)
        #expect(policy.delay(attempt: 1, method: "POST", outcome: .transport(.curl(code: 56, message: "reset"))) == nil)
        #expect(policy.delay(attempt: 1, method: "POST", outcome: .transport(.curl(code: 7, message: "refused"))) == 1)
        #expect(
            policy.delay(attempt: 1, method: "PATCH", outcome: .status(code: 429, retryAfter: 3, tooLargeResourceVersion: false))
                == 3)
        #expect(
            policy.delay(attempt: 1, method: "PATCH", outcome: .status(code: 429, retryAfter: 60, tooLargeResourceVersion: false))
                == 8)
        #expect(
            policy.delay(attempt: 1, method: "GET", outcome: .status(code: 504, retryAfter: 1, tooLargeResourceVersion: true))
                == nil)
        #expect(
            policy.delay(attempt: 1, method: "GET", outcome: .status(code: 409, retryAfter: nil, tooLargeResourceVersion: false))
                == nil)
        #expect(policy.delay(attempt: 1, method: "GET", outcome: .transport(.cancelled)) == nil)
    }

    @Test func serverDelayComesFromRetryAfterElseTheStatusDetails() {
        let policy = RetryPolicy(maxRetries: 2, baseDelay: 1, maxDelay: 8, jitter: 0)
        func status(_ code: Int, retryAfterSeconds: Int?) -> APIStatusError {
            var details: JSONObject = [:]
            if let retryAfterSeconds { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
            let body: JSONValue = [
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": .int(Int64(code)),
                "details": .object(details),
            ]
            return APIStatusError(code: code, body: body.encoded())
        }
        func head(_ code: Int, retryAfter: String? = nil) -> HTTPResponseHead {
            HTTPResponseHead(status: code, httpVersion: "1.1", headers: retryAfter.map { ["retry-after": $0] } ?? [:])
        }
        func delay(_ head: HTTPResponseHead, _ status: APIStatusError) -> Double? {
            policy.delay(attempt: 1, method: "GET", outcome: RetryPolicy.Outcome(refusal: head, status: status))
        }

        #expect(delay(head(429), status(429, retryAfterSeconds: 3)) == 3, "details only")
        #expect(delay(head(429, retryAfter: "5"), status(429, retryAfterSeconds: 3)) == 5, "the header wins")
        #expect(delay(head(429, retryAfter: "soon"), status(429, retryAfterSeconds: 3)) == 3, "an unreadable header")
        #expect(delay(head(429), status(429, retryAfterSeconds: nil)) == 1, "neither: backoff")
        #expect(delay(head(500), status(500, retryAfterSeconds: 2)) == 2, "a 500 the server marked retriable")
        #expect(delay(head(500), status(500, retryAfterSeconds: nil)) == nil)

        let tooLarge = APIStatusError(
            code: 504,
            status: [
                "kind": "Status", "code": 504,
                "details": ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]]],
            ])
        #expect(delay(head(504, retryAfter: "1"), tooLarge) == nil)
    }
}

final class ManualClock: @unchecked Sendable {
    // `@unchecked`: tests mutate it from one task at a time.
    var now = 1000.0
}
