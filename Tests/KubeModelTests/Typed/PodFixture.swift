import KubeModel

/// The realistic Roost worker pod of `shared/perf/make_pod.py` (3,440 bytes compact for i = 1),
/// built with the same keys in the same order.
enum PodFixture {
    static func hex(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func name(_ i: Int) -> String {
        "coder-large-2x-" + String(repeating: "0", count: 6 - String(i).count) + "\(i)-" + hex((i * 7919) % 99991, width: 5)
    }
    static func node(_ i: Int) -> String { "ip-10-0-\((i / 250) % 250)-\(i % 250).ec2.internal" }
    static func uid(_ i: Int) -> String { "12345678-90ab-cdef-0000-" + hex(i, width: 12) }
    static func resourceVersion(_ i: Int) -> String { String(48_123_456 + i * 3) }
    static func t0(_ i: Int) -> String { "2026-09-21T10:14:\(twoDigits(i % 60))Z" }
    static func t1(_ i: Int) -> String { "2026-09-21T10:14:\(twoDigits((i + 3) % 60))Z" }
    static func podIP(_ i: Int) -> String { "10.42.\((i / 250) % 250).\(i % 250 + 2)" }
    static func hostIP(_ i: Int) -> String { "10.0.\((i / 250) % 250).\(i % 250)" }

    static let managedFields: JSONValue = [
        [
            "manager": "roost", "operation": "Update", "apiVersion": "v1", "time": "2026-09-21T10:14:01Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": ["f:metadata": ["f:labels": ["f:roost.dev/state": [:]]]],
        ],
        [
            "manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2026-09-21T10:14:04Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": ["f:status": ["f:conditions": [:], "f:podIP": [:]]],
            "subresource": "status",
        ],
    ]

    static func pod(_ i: Int = 1) -> JSONValue {
        let t0 = JSONValue.string(t0(i))
        let t1 = JSONValue.string(t1(i))
        var managed = managedFields
        if case .array(var entries) = managed {
            entries[0]["time"] = t0
            entries[1]["time"] = t1
            managed = .array(entries)
        }
        let containerID = "containerd://" + hex((i * 2_654_435_761) % (1 << 62), width: 64)
        return [
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": [
                "name": .string(name(i)),
                "namespace": "agents",
                "uid": .string(uid(i)),
                "resourceVersion": .string(resourceVersion(i)),
                "creationTimestamp": t0,
                "labels": [
                    "roost.dev/managed-by": "roost",
                    "roost.dev/runtime": "coder",
                    "roost.dev/machine": "large-2x",
                    "roost.dev/state": i % 3 != 0 ? "busy" : "idle",
                    "roost.dev/scheduled": i % 2 != 0 ? "true" : "false",
                ],
                "annotations": [
                    "roost.dev/session": .string("session-" + String(repeating: "0", count: 6 - String(i).count) + "\(i)"),
                    "roost.dev/idle-since": t0,
                ],
                "ownerReferences": [
                    [
                        "apiVersion": "roost.dev/v1alpha1", "kind": "AgentRuntime", "name": "coder",
                        "uid": "7f9d2c1e-4b3a-4e8f-9a61-0c2d3e4f5a6b", "controller": true,
                        "blockOwnerDeletion": true,
                    ]
                ],
                "managedFields": managed,
            ],
            "spec": [
                "containers": [
                    [
                        "name": "agent",
                        "image": "ghcr.io/example/coder-agent:1.42.0",
                        "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
                        "env": [
                            ["name": "SESSION_TIMEOUT", "value": "8h"],
                            [
                                "name": "POD_NAME",
                                "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]],
                            ],
                        ],
                        "resources": [
                            "requests": ["cpu": "4", "memory": "8Gi"],
                            "limits": ["cpu": "8", "memory": "16Gi"],
                        ],
                        "volumeMounts": [["name": "workspace", "mountPath": "/workspace"]],
                        "imagePullPolicy": "IfNotPresent",
                    ],
                    [
                        "name": "log-shipper",
                        "image": "ghcr.io/example/log-shipper:0.9.3",
                        "resources": ["requests": ["cpu": "50m", "memory": "64Mi"]],
                    ],
                ],
                "volumes": [["name": "workspace", "emptyDir": ["sizeLimit": "20Gi"]]],
                "affinity": [
                    "nodeAffinity": [
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            [
                                "weight": 100,
                                "preference": [
                                    "matchExpressions": [
                                        [
                                            "key": "node.cluster.x-k8s.io/machinepool", "operator": "In",
                                            "values": ["large-machines"],
                                        ]
                                    ]
                                ],
                            ],
                            [
                                "weight": 100,
                                "preference": [
                                    "matchExpressions": [
                                        ["key": "kubernetes.io/hostname", "operator": "In", "values": [.string(node(i))]]
                                    ]
                                ],
                            ],
                        ]
                    ]
                ],
                "tolerations": [
                    ["key": "roost.dev/agents", "operator": "Equal", "value": "true", "effect": "NoSchedule"]
                ],
                "restartPolicy": "Never",
                "terminationGracePeriodSeconds": 30,
                "serviceAccountName": "coder-worker",
                "nodeName": .string(node(i)),
                "schedulerName": "default-scheduler",
            ],
            "status": [
                "phase": "Running",
                "conditions": [
                    ["type": "Initialized", "status": "True", "lastTransitionTime": t0],
                    ["type": "Ready", "status": "True", "lastTransitionTime": t1],
                    ["type": "PodScheduled", "status": "True", "lastTransitionTime": t0],
                ],
                "hostIP": .string(hostIP(i)),
                "podIP": .string(podIP(i)),
                "podIPs": [["ip": .string(podIP(i))]],
                "startTime": t0,
                "containerStatuses": [
                    [
                        "name": "agent",
                        "state": ["running": ["startedAt": t1]],
                        "lastState": [:],
                        "ready": true,
                        "restartCount": 0,
                        "image": "ghcr.io/example/coder-agent:1.42.0",
                        "imageID": .string("ghcr.io/example/coder-agent@sha256:" + String(repeating: "3f", count: 32)),
                        "containerID": .string(containerID),
                        "started": true,
                    ],
                    [
                        "name": "log-shipper",
                        "state": ["running": ["startedAt": t1]],
                        "ready": true,
                        "restartCount": 0,
                        "image": "ghcr.io/example/log-shipper:0.9.3",
                        "imageID": .string("ghcr.io/example/log-shipper@sha256:" + String(repeating: "a7", count: 32)),
                        "started": true,
                    ],
                ],
                "qosClass": "Burstable",
            ],
        ]
    }

    /// `{"type":"MODIFIED","object":<pod>}` as compact bytes.
    static func eventLine(_ i: Int = 1, type: String = "MODIFIED") -> [UInt8] {
        let event: JSONValue = ["type": .string(type), "object": pod(i)]
        return event.encoded()
    }
}
