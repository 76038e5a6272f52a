import KubeMachinery
import KubeModel
import Testing

@Suite("Server-side apply")
struct ServerSideApplyTests {
    let config = #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"fe"}},
         "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"nginx:1","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}}}
        """#

    func apply(
        _ applied: String, to live: JSONValue?, manager: String = "mgr", force: Bool = false
    ) throws(ApplyError) -> JSONValue {
        try ServerSideApply.apply(
            json(applied), to: live, manager: manager, force: force, schema: .deployment,
            now: "2024-01-01T00:00:00Z")
    }

    func entry(_ object: JSONValue, _ manager: String) -> JSONValue? {
        object[path: ["metadata", "managedFields"]]?.arrayValue?.first {
            $0["manager"]?.stringValue == manager
        }
    }

    @Test func createRecordsFieldsV1() throws {
        let created = try apply(config, to: nil)
        #expect(created[path: ["spec", "replicas"]] == 2)
        let managed = try #require(entry(created, "mgr"))
        #expect(managed["operation"] == "Apply")
        #expect(managed["apiVersion"] == "apps/v1")
        #expect(managed["time"] == "2024-01-01T00:00:00Z")
        #expect(managed["fieldsType"] == "FieldsV1")
        #expect(
            managed["fieldsV1"]?.jsonString
                == #"{"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}}}"#
        )
        #expect(created[path: ["metadata", "managedFields"]]?.arrayValue?.count == 1)
    }

    @Test func fieldSetRoundTrips() throws {
        let fields = json(
            #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}"#
        )
        let set = FieldSet(fieldsV1: fields)
        #expect(set.paths.count == 3)
        #expect(set.fieldsV1 == fields)
        #expect(
            set.paths.map(fieldPathString).sorted() == [
                ".metadata.labels.app", ".spec.containers[name=\"c\"]",
                ".spec.containers[name=\"c\"].image",
            ])
    }

    @Test func reapplyRemovesDroppedFields() throws {
        let created = try apply(config, to: nil)
        let reapplied = try apply(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}"#,
            to: created)
        #expect(reapplied[path: ["metadata", "labels"]] == json(#"{"app":"web"}"#))
        #expect(reapplied[path: ["spec", "replicas"]] == nil)
        #expect(
            reapplied[path: ["spec", "template", "spec", "containers"]]
                == json(#"[{"name":"c","image":"nginx:2"}]"#))
        #expect(entry(reapplied, "mgr")?[path: ["fieldsV1", "f:spec"]]?["f:replicas"] == nil)
    }

    @Test func fieldsOwnedByOthersSurviveRemoval() throws {
        let created = try apply(config, to: nil)
        let shared = try apply(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#,
            to: created,
            manager: "other")
        let reapplied = try apply(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}"#, to: shared)
        #expect(reapplied[path: ["spec", "replicas"]] == 2)
        #expect(reapplied[path: ["metadata", "labels"]] == nil)
        #expect(entry(reapplied, "mgr") == nil)
        #expect(entry(reapplied, "other") != nil)
    }

    @Test func conflictWithAnotherApplier() throws {
        let created = try apply(config, to: nil)
        let error = #expect(throws: ApplyError.self) {
            try apply(
                #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}}"#,
                to: created, manager: "other")
        }
        #expect(
            error
                == .conflicts([
                    ApplyConflict(
                        manager: "mgr", operation: "Apply", apiVersion: "apps/v1", field: ".spec.replicas")
                ]))
        #expect(
            error?.description == #"Apply failed with 1 conflict: conflict with "mgr": .spec.replicas"#)
        #expect(error?.httpStatus == 409)
    }

    @Test func forceTakesOver() throws {
        let created = try apply(config, to: nil)
        let forced = try apply(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"c","image":"nginx:9"}]}}}}"#,
            to: created, manager: "other", force: true)
        #expect(forced[path: ["spec", "replicas"]] == 5)
        #expect(
            forced[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"]
                == "nginx:9")
        let mine = try #require(entry(forced, "mgr"))
        #expect(mine[path: ["fieldsV1", "f:spec"]]?["f:replicas"] == nil)
        #expect(mine[path: ["fieldsV1", "f:metadata", "f:labels"]] != nil)
        let theirs = FieldSet(fieldsV1: entry(forced, "other")?["fieldsV1"] ?? .null)
        #expect(theirs.paths.map(fieldPathString).contains(".spec.replicas"))
    }

    @Test func recordUpdateThenApplyConflicts() throws {
        let live = ManagedFields.recordUpdate(
            old: nil, new: json(config), manager: "kubectl-client-side-apply",
            now: "2024-01-01T00:00:00Z",
            schema: .deployment)
        let update = try #require(entry(live, "kubectl-client-side-apply"))
        #expect(update["operation"] == "Update")
        #expect(update[path: ["fieldsV1", "f:spec", "f:replicas"]] == json("{}"))
        #expect(update[path: ["fieldsV1", "f:metadata"]]?["f:name"] == nil)

        let error = #expect(throws: ApplyError.self) {
            try apply(
                #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#,
                to: live)
        }
        #expect(
            error?.description
                == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#
        )
        // The same value is shared, not a conflict.
        let shared = try apply(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#,
            to: live)
        #expect(entry(shared, "mgr") != nil)
        #expect(
            entry(shared, "kubectl-client-side-apply")?[path: ["fieldsV1", "f:spec", "f:replicas"]] != nil
        )
    }

    @Test func updateTakesFieldsFromAppliers() throws {
        let created = try apply(config, to: nil)
        var changed = created
        changed.set(path: ["spec", "replicas"], to: 7)
        let updated = ManagedFields.recordUpdate(
            old: created, new: changed, manager: "kubectl-scale", now: "2024-01-02T00:00:00Z",
            schema: .deployment)
        #expect(entry(updated, "kubectl-scale")?["fieldsV1"] == json(#"{"f:spec":{"f:replicas":{}}}"#))
        #expect(entry(updated, "mgr")?[path: ["fieldsV1", "f:spec"]]?["f:replicas"] == nil)
        let error = #expect(throws: ApplyError.self) { try apply(config, to: updated) }
        #expect(
            error
                == .conflicts([
                    ApplyConflict(
                        manager: "kubectl-scale", operation: "Update", apiVersion: "apps/v1",
                        field: ".spec.replicas")
                ]))
    }

    @Test func multipleConflictsMessage() {
        let error = ApplyError.conflicts([
            ApplyConflict(manager: "b", operation: "Apply", field: ".spec.x"),
            ApplyConflict(manager: "a", operation: "Update", apiVersion: "v1", field: ".spec.y"),
            ApplyConflict(manager: "a", operation: "Update", apiVersion: "v1", field: ".spec.z"),
        ])
        #expect(
            error.description
                == "Apply failed with 3 conflicts: conflict with \"a\" using v1:\n- .spec.y\n- .spec.z\nconflict with \"b\":\n- .spec.x"
        )
    }

    @Test func beforeFirstApplyOwnsLegacyFields() throws {
        let legacy = json(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}"#
        )
        #expect(throws: ApplyError.self) { try apply(config, to: legacy) }
        let forced = try apply(config, to: legacy, force: true)
        #expect(entry(forced, "before-first-apply") == nil)
        #expect(forced[path: ["spec", "replicas"]] == 2)
    }

    @Test func invalidConfigurations() {
        #expect(throws: ApplyError.invalidObject(reason: "metadata.managedFields must be nil")) {
            try apply(#"{"metadata":{"managedFields":[]}}"#, to: nil)
        }
        let error = #expect(throws: ApplyError.self) {
            try apply(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#, to: nil)
        }
        #expect(error?.httpStatus == 400)
    }

    @Test func keyedListsMergeByKey() throws {
        let created = try apply(config, to: nil)
        let sidecar = try apply(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"side","image":"s"}]}}}}"#,
            to: created, manager: "injector")
        #expect(
            sidecar[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap {
                $0["name"]?.stringValue
            }
                == ["c", "side"])
    }
}

@Test func emptyManagedFieldsAreRemoved() {
    let object = ManagedFields.setting([], on: json(#"{"metadata":{"name":"x","managedFields":[]}}"#))
    #expect(object == json(#"{"metadata":{"name":"x"}}"#))
}
