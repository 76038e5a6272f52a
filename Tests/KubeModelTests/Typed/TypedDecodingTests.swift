import KubeModel
import Testing

typealias Pod = CoreV1.Pod

/// The error decoding `text` as `T` throws, or nil (with a recorded issue) when it decodes.
func decodeError<T: KubeDecodable>(
    _ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation
) -> JSONSyntaxError? {
    do {
        _ = try T.decode(text)
        Issue.record("\(text.prefix(80).debugDescription) decoded, expected an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite struct PodDecodingTests {
    @Test func fixtureIsTheRealisticPod() {
        #expect(PodFixture.pod(1).encoded().count == 3440)
        #expect(PodFixture.eventLine(1).count == 3469)
    }

    @Test func decodesEveryFieldOfTheRealisticPod() throws {
        let pod = try Pod.decode(PodFixture.pod(1).encoded())
        let meta = pod.metadata
        #expect(meta.name == "coder-large-2x-000001-01eef")
        #expect(meta.namespace == "agents")
        #expect(meta.uid == "12345678-90ab-cdef-0000-000000000001")
        #expect(meta.resourceVersion == "48123459")
        #expect(meta.creationTimestamp == "2026-09-21T10:14:01Z")
        #expect(meta.deletionTimestamp == nil)
        #expect(meta.deletionGracePeriodSeconds == nil)
        #expect(meta.generation == 0)
        #expect(meta.generateName == "")
        #expect(
            meta.labels == [
                "roost.dev/managed-by": "roost", "roost.dev/runtime": "coder", "roost.dev/machine": "large-2x",
                "roost.dev/state": "busy", "roost.dev/scheduled": "true",
            ])
        #expect(meta.annotations == ["roost.dev/session": "session-000001", "roost.dev/idle-since": "2026-09-21T10:14:01Z"])
        #expect(
            meta.ownerReferences == [
                OwnerReference(
                    apiVersion: "roost.dev/v1alpha1", kind: "AgentRuntime", name: "coder",
                    uid: "7f9d2c1e-4b3a-4e8f-9a61-0c2d3e4f5a6b", controller: true)
            ])
        #expect(meta.finalizers == [])
        #expect(meta.managedFields == nil)

        #expect(
            pod.spec
                == CoreV1.PodSpec(
                    nodeName: "ip-10-0-0-1.ec2.internal", schedulerName: "default-scheduler",
                    containers: [
                        CoreV1.Container(name: "agent", image: "ghcr.io/example/coder-agent:1.42.0"),
                        CoreV1.Container(name: "log-shipper", image: "ghcr.io/example/log-shipper:0.9.3"),
                    ],
                    tolerations: [
                        CoreV1.Toleration(key: "roost.dev/agents", operator: "Equal", value: "true", effect: "NoSchedule")
                    ],
                    nodeSelector: [:], priority: nil))
        #expect(
            pod.status
                == CoreV1.PodStatus(
                    phase: "Running", podIP: "10.42.0.3", hostIP: "10.0.0.1", startTime: "2026-09-21T10:14:01Z",
                    conditions: [
                        CoreV1.PodCondition(type: "Initialized", status: "True", lastTransitionTime: "2026-09-21T10:14:01Z"),
                        CoreV1.PodCondition(type: "Ready", status: "True", lastTransitionTime: "2026-09-21T10:14:04Z"),
                        CoreV1.PodCondition(type: "PodScheduled", status: "True", lastTransitionTime: "2026-09-21T10:14:01Z"),
                    ],
                    containerStatuses: [
                        CoreV1.ContainerStatus(name: "agent", ready: true, restartCount: 0, started: true),
                        CoreV1.ContainerStatus(name: "log-shipper", ready: true, restartCount: 0, started: true),
                    ]))
    }

    @Test func decodesTheRestOfThePodFields() throws {
        let text = """
            {"metadata":{"name":"p","generateName":"p-","generation":7,"deletionTimestamp":"2026-09-21T10:15:00Z",
             "deletionGracePeriodSeconds":30,"finalizers":["roost.dev/drain","b"]},
             "spec":{"nodeSelector":{"pool":"large","zone":"a"},"priority":-5,
              "tolerations":[{"operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
             "status":{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: memory.",
              "conditions":[{"type":"Ready","status":"False","reason":"PodFailed","message":"m"}],
              "containerStatuses":[{"name":"a","ready":false,"restartCount":3}]}}
            """
        let pod = try Pod.decode(text)
        #expect(pod.metadata.generateName == "p-")
        #expect(pod.metadata.generation == 7)
        #expect(pod.metadata.deletionTimestamp == "2026-09-21T10:15:00Z")
        #expect(pod.metadata.deletionGracePeriodSeconds == 30)
        #expect(pod.metadata.finalizers == ["roost.dev/drain", "b"])
        #expect(pod.spec.nodeSelector == ["pool": "large", "zone": "a"])
        #expect(pod.spec.priority == -5)
        #expect(pod.spec.tolerations == [CoreV1.Toleration(operator: "Exists", effect: "NoExecute", tolerationSeconds: 300)])
        #expect(pod.status.reason == "Evicted")
        #expect(pod.status.message == "The node was low on resource: memory.")
        #expect(pod.status.conditions == [CoreV1.PodCondition(type: "Ready", status: "False", reason: "PodFailed", message: "m")])
        #expect(pod.status.containerStatuses == [CoreV1.ContainerStatus(name: "a", ready: false, restartCount: 3, started: nil)])
    }

    @Test func managedFieldsAndLastAppliedAreDroppedUnlessKept() throws {
        var pod = PodFixture.pod(1)
        let lastApplied = #"{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{}}}"#
        pod.set(path: ["metadata", "annotations", ObjectMeta.lastAppliedConfigurationAnnotation], to: .string(lastApplied))
        let bytes = pod.encoded()

        let slim = try Pod.decode(bytes)
        #expect(slim.metadata.managedFields == nil)
        #expect(slim.metadata.annotations[ObjectMeta.lastAppliedConfigurationAnnotation] == nil)
        #expect(slim.metadata.annotations.count == 2)

        let options = DecodingOptions(keepManagedFields: true, keepLastAppliedConfiguration: true)
        let full = try Pod.decode(bytes, options: options)
        #expect(full.metadata.managedFields == pod[path: ["metadata", "managedFields"]])
        #expect(full.metadata.annotations[ObjectMeta.lastAppliedConfigurationAnnotation] == lastApplied)
        #expect(full.metadata.annotations.count == 3)
        var withoutExtras = full
        withoutExtras.metadata.managedFields = nil
        withoutExtras.metadata.annotations[ObjectMeta.lastAppliedConfigurationAnnotation] = nil
        #expect(withoutExtras == slim)
    }

    @Test func unknownValuesOfEveryKindAreSkipped() throws {
        let text = """
            { "zero": 0, "negative": -12.5e+3, "exp": 1E-7, "t": true, "f": false, "n": null,
              "s": "plain", "tricky": "quote \\" ] } [ { , : \\\\", "backslashAtEnd": "\\\\",
              "unicode": "\\u00e9\\ud83d\\ude00 é 😀", "emptyObject": {}, "emptyArray": [],
              "nested": {"a": [1, [2, [3, {"b": "]]]}}}"}]]], "c": {"d": [{}, [], "}"]}},
              "array": [null, true, false, 0, -1, "x", {"k": "v"}, [[[]]]],
              "metadata" : { "name" : "web-0", "unknownInMeta": {"labels": "not these"},
                             "labels": {"app": "web"}, "x": [ "\\"", "[" ] },
              "spec": {"containers": [{"name": "c", "unknown": {"image": "not-this"}, "image": "img"}]},
              "status": {"phase": "Pending"}, "trailing": [ { } ] }
            """
        let pod = try Pod.decode(text)
        #expect(pod.metadata.name == "web-0")
        #expect(pod.metadata.labels == ["app": "web"])
        #expect(pod.spec.containers == [CoreV1.Container(name: "c", image: "img")])
        #expect(pod.status.phase == "Pending")
    }

    @Test func stringEscapesAreDecoded() throws {
        let text = #"""
            {"metadata":{"name":"a\nb\t\"c\"\\d\/e","namespace":"caf\u00e9","uid":"\ud83d\ude00!",
             "resourceVersion":"lone \ud800 x","labels":{"k\u00e9y":"v\u0041l","plain":"é😀"},
             "n\u0061mespace":"escaped-key"}}
            """#
        let pod = try Pod.decode(text)
        #expect(pod.metadata.name == "a\nb\t\"c\"\\d/e")
        #expect(pod.metadata.uid == "😀!")
        #expect(pod.metadata.resourceVersion == "lone \u{FFFD} x")
        #expect(pod.metadata.labels == ["kéy": "vAl", "plain": "é😀"])
        // The escaped key is the same key as "namespace"; the last one wins, as in Go.
        #expect(pod.metadata.namespace == "escaped-key")
    }

    @Test func nullWhereOptional() throws {
        let text = """
            {"metadata":{"name":null,"namespace":"ns","deletionTimestamp":null,"deletionGracePeriodSeconds":null,
             "labels":null,"annotations":null,"ownerReferences":null,"finalizers":null,"generation":null,
             "ownerReferences":[{"name":"o","controller":null}]},
             "spec":null,"status":{"phase":null,"conditions":null,"startTime":null}}
            """
        let pod = try Pod.decode(text)
        #expect(pod.metadata.name == "")
        #expect(pod.metadata.namespace == "ns")
        #expect(pod.metadata.deletionTimestamp == nil)
        #expect(pod.metadata.labels.isEmpty)
        #expect(pod.metadata.ownerReferences == [OwnerReference(name: "o", controller: nil)])
        #expect(pod.spec == CoreV1.PodSpec())
        #expect(pod.status == CoreV1.PodStatus())
        #expect(try Pod.decode("null") == Pod())
    }

    @Test func wrongTypesNameTheField() {
        let cases: [(String, String)] = [
            (#"{"metadata":{"labels":"app=web"}}"#, "metadata.labels: expected object, found string"),
            (
                #"{"metadata":{"labels":{"roost.dev/state":1}}}"#,
                #"metadata.labels["roost.dev/state"]: expected string, found number"#
            ),
            (#"{"metadata":{"name":["x"]}}"#, "metadata.name: expected string, found array"),
            (#"{"spec":{"containers":[{"name":"a"},{"name":true}]}}"#, "spec.containers[1].name: expected string, found boolean"),
            (#"{"spec":{"containers":{}}}"#, "spec.containers: expected array, found object"),
            (#"{"spec":{"priority":3000000000}}"#, "spec.priority: integer 3000000000 out of the 32-bit range"),
            (
                #"{"status":{"containerStatuses":[{"restartCount":1.5}]}}"#,
                "status.containerStatuses[0].restartCount: expected integer, found number 1.5"
            ),
            (
                #"{"status":{"containerStatuses":[{"ready":"yes"}]}}"#,
                "status.containerStatuses[0].ready: expected boolean, found string"
            ),
            (#"{"metadata":{"generation":99999999999999999999}}"#, "metadata.generation: integer out of the 64-bit range"),
            (#"["not","a","pod"]"#, "expected object, found array"),
        ]
        for (text, reason) in cases {
            #expect(decodeError(Pod.self, text)?.reason == reason, "\(text)")
        }
        let error = decodeError(Pod.self, #"{"metadata":{"labels":"app=web"}}"#)
        #expect(error?.offset == 22)
    }

    @Test func syntaxErrorsHaveOffsets() {
        let cases: [(String, Int, String)] = [
            (#"{"metadata":{"name":"a"]}"#, 23, "metadata: expected ',' or '}' in object"),
            (#"{"metadata" {}}"#, 12, "expected ':' after object key"),
            (#"{"x":[1,2}"#, 9, #"x: mismatched '}'"#),
            (#"{"x":"a\qb"}"#, 8, "x: invalid escape character"),
            (#"{"x":tru}"#, 5, "x: invalid literal, expected true"),
            (#"{"x":01}"#, 5, "x: invalid number: leading zero"),
            (#"{"metadata":{}} x"#, 16, "unexpected data after the top-level value"),
            ("{\"x\":\"a\u{01}b\"}", 7, "x: control character in string"),
            (#"{metadata:{}}"#, 1, "expected a string key"),
        ]
        for (text, offset, reason) in cases {
            let error = decodeError(Pod.self, text)
            #expect(error?.offset == offset, "\(text)")
            #expect(error?.reason == reason, "\(text)")
        }
    }

    @Test func everyTruncationOfAnEventFailsAtTheEnd() {
        let line = PodFixture.eventLine(7)
        for length in 0..<line.count {
            let prefix = Array(line[0..<length])
            do {
                let event = try WatchEvent<Pod>.decode(prefix)
                Issue.record("prefix of \(length) bytes decoded as \(event.type)")
            } catch {
                #expect(error.offset == length, "prefix of \(length) bytes: \(error)")
            }
        }
        let error = decodeError(WatchEvent<Pod>.self, String(decoding: line[0..<100], as: UTF8.self))
        #expect(error?.reason == "object.metadata.name: unexpected end of input in string")
    }

    @Test func depthIsLimitedInSkippedValues() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let error = decodeError(Pod.self, #"{"x":"# + deep + "}")
        #expect(error?.reason == "x: nesting deeper than 512 levels")
        let fine = String(repeating: "[{\"a\":", count: 100) + "1" + String(repeating: "}]", count: 100)
        #expect((try? Pod.decode(#"{"x":"# + fine + #","metadata":{"name":"n"}}"#))?.metadata.name == "n")
    }
}

@Suite struct NodeLeaseStatusTests {
    @Test func decodesANode() throws {
        let text = """
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"ip-10-0-0-1","labels":{"kubernetes.io/os":"linux"}},
             "spec":{"podCIDR":"10.42.0.0/24","unschedulable":true,
              "taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule","timeAdded":"2026-09-21T10:00:00Z"}]},
             "status":{"capacity":{"cpu":"16","pods":"110"},"allocatable":{"cpu":"15800m","memory":"60Gi","pods":"110"},
              "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-09-21T10:14:00Z",
                "lastTransitionTime":"2026-09-21T09:00:00Z","reason":"KubeletReady","message":"kubelet is posting ready status"}],
              "addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"ip-10-0-0-1"}],
              "nodeInfo":{"kubeletVersion":"v1.34.0"}}}
            """
        let node = try CoreV1.Node.decode(text)
        #expect(node.metadata.name == "ip-10-0-0-1")
        #expect(
            node.spec
                == CoreV1.NodeSpec(
                    unschedulable: true, taints: [CoreV1.Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule")]))
        #expect(node.status.allocatablePods == "110")
        #expect(
            node.status.conditions == [
                CoreV1.NodeCondition(
                    type: "Ready", status: "True", lastTransitionTime: "2026-09-21T09:00:00Z", reason: "KubeletReady",
                    message: "kubelet is posting ready status")
            ])
        #expect(
            node.status.addresses == [
                CoreV1.NodeAddress(type: "InternalIP", address: "10.0.0.1"),
                CoreV1.NodeAddress(type: "Hostname", address: "ip-10-0-0-1"),
            ])
    }

    @Test func decodesALease() throws {
        let text = """
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
             "metadata":{"name":"roost-leader","namespace":"roost-system","resourceVersion":"812"},
             "spec":{"holderIdentity":"roost-7d9f-abc","leaseDurationSeconds":15,
              "acquireTime":"2026-09-21T10:00:00.000000Z","renewTime":"2026-09-21T10:14:01.123456Z","leaseTransitions":4}}
            """
        let lease = try CoordinationV1.Lease.decode(text)
        #expect(lease.metadata.name == "roost-leader")
        #expect(
            lease.spec
                == CoordinationV1.LeaseSpec(
                    holderIdentity: "roost-7d9f-abc", leaseDurationSeconds: 15, acquireTime: "2026-09-21T10:00:00.000000Z",
                    renewTime: "2026-09-21T10:14:01.123456Z", leaseTransitions: 4))
        #expect(try CoordinationV1.Lease.decode(#"{"spec":{"holderIdentity":null}}"#).spec == CoordinationV1.LeaseSpec())
    }

    @Test func decodesAStatus() throws {
        let text = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"Pod \\"x\\" is invalid: spec.containers[0].image: Required value","reason":"Invalid",
             "details":{"name":"x","kind":"pods","uid":"u","causes":[{"reason":"FieldValueRequired",
              "message":"Required value","field":"spec.containers[0].image"}],"retryAfterSeconds":2},"code":422}
            """
        let status = try Status.decode(text)
        #expect(
            status
                == Status(
                    status: "Failure", message: #"Pod "x" is invalid: spec.containers[0].image: Required value"#,
                    reason: "Invalid", code: 422,
                    details: StatusDetails(
                        name: "x", kind: "pods", uid: "u",
                        causes: [
                            StatusCause(
                                reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].image")
                        ], retryAfterSeconds: 2)))
    }
}

@Suite struct WatchAndListTests {
    @Test func eventKeysInEitherOrder() throws {
        let pod = PodFixture.pod(3)
        let typeFirst = JSONValue.object(
            JSONObject(members: [.init(key: "type", value: "ADDED"), .init(key: "object", value: pod)]))
        let objectFirst = JSONValue.object(
            JSONObject(members: [.init(key: "object", value: pod), .init(key: "type", value: "ADDED")]))
        let first = try WatchEvent<Pod>.decode(typeFirst.encoded())
        let second = try WatchEvent<Pod>.decode(objectFirst.prettyEncoded())
        #expect(first.type == .added)
        #expect(first.object?.metadata.name == PodFixture.name(3))
        #expect(first == second)
        #expect(first == WatchEvent(.added, try Pod.decode(pod.encoded())))
    }

    @Test func everyObjectEventType() throws {
        for (name, kind) in [("ADDED", WatchEventKind.added), ("MODIFIED", .modified), ("DELETED", .deleted)] {
            let event = try WatchEvent<Pod>.decode(PodFixture.eventLine(2, type: name))
            #expect(event.type == kind)
            #expect(event.object?.spec.nodeName == PodFixture.node(2))
        }
    }

    @Test func errorEventCarriesAStatus() throws {
        let line = """
            {"object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"too old resource version: 100 (812)","reason":"Expired","code":410},"type":"ERROR"}
            """
        let event = try WatchEvent<Pod>.decode(line)
        #expect(event.type == .error)
        #expect(event.object == nil)
        #expect(
            event.payload
                == .error(Status(status: "Failure", message: "too old resource version: 100 (812)", reason: "Expired", code: 410))
        )
    }

    @Test func bookmarkReadsOnlyVersionAndAnnotations() throws {
        let line = """
            {"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"48200001",
             "creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},"spec":{"containers":null},"status":{}}}
            """
        let event = try WatchEvent<Pod>.decode(line)
        guard case .bookmark(let bookmark) = event.payload else {
            Issue.record("expected a bookmark, got \(event.payload)")
            return
        }
        #expect(bookmark.resourceVersion == "48200001")
        #expect(bookmark.isInitialEventsEnd)
        let plain = try WatchEvent<Pod>.decode(#"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}"#)
        #expect(plain.payload == .bookmark(WatchBookmark(resourceVersion: "9")))
        #expect(!WatchBookmark(resourceVersion: "9").isInitialEventsEnd)
    }

    @Test func malformedEvents() {
        #expect(
            decodeError(WatchEvent<Pod>.self, #"{"type":"SYNC","object":{}}"#)?.reason
                == #"type: unknown watch event type "SYNC""#)
        #expect(decodeError(WatchEvent<Pod>.self, #"{"type":"SYNC","object":{}}"#)?.offset == 8)
        #expect(decodeError(WatchEvent<Pod>.self, #"{"object":{}}"#)?.reason == #"watch event has no "type""#)
        #expect(decodeError(WatchEvent<Pod>.self, #"{"type":"ADDED"}"#)?.reason == #"watch event has no "object""#)
        let late = decodeError(WatchEvent<Pod>.self, #"{"object":{"metadata":{"name":5}},"type":"ADDED"}"#)
        #expect(late?.reason == "object.metadata.name: expected string, found number")
        #expect(late?.offset == 30)
    }

    @Test func listWithItems() throws {
        var text =
            #"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"48999999","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":1200},"items":["#
        for i in 0..<5 {
            if i > 0 { text += "," }
            text += PodFixture.pod(i).jsonString
        }
        text += "]}"
        let list = try ObjectList<Pod>.decode(text)
        #expect(
            list.metadata
                == ListMeta(resourceVersion: "48999999", continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", remainingItemCount: 1200))
        #expect(list.items.map(\.metadata.name) == (0..<5).map(PodFixture.name))
        #expect(list.items.map(\.status.podIP) == (0..<5).map(PodFixture.podIP))
        let empty = try ObjectList<CoreV1.Node>.decode(#"{"kind":"NodeList","metadata":{"resourceVersion":"5"},"items":null}"#)
        #expect(empty == ObjectList(metadata: ListMeta(resourceVersion: "5"), items: []))
    }

    @Test func passThroughObjectsDecodeAsJSONValue() throws {
        let event = try WatchEvent<JSONValue>.decode(PodFixture.eventLine(4))
        #expect(event.object == PodFixture.pod(4))
        let list = try ObjectList<JSONValue>.decode(#"{"items":[{"a":1},[true,null],"s",2.5]}"#)
        #expect(list.items == [["a": 1], [true, nil], "s", 2.5])
        let error = decodeError(ObjectList<JSONValue>.self, #"{"items":[{"a":1},{"b":}]}"#)
        #expect(error?.offset == 23)
        #expect(error?.reason == "items[1]: unexpected character '}'")
    }
}
