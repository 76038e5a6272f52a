import KubeMachinery
import KubeModel
import Testing

@Suite("Strategic merge patch")
struct StrategicMergePatchTests {
    func apply(_ patch: String, _ original: String, _ schema: PatchSchema = .pod) throws(PatchError)
        -> JSONValue
    {
        try StrategicMergePatch.apply(json(patch), to: json(original), schema: schema)
    }

    let pod = #"""
        {"metadata":{"name":"p","labels":{"app":"a","tier":"web"},"finalizers":["a","b"]},
         "spec":{"containers":[
            {"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
            {"name":"sidecar","image":"side:1"}],
          "tolerations":[{"key":"k1","operator":"Exists"}],
          "volumes":[{"name":"v","emptyDir":{}}]}}
        """#

    @Test func mapsMergeAndNullDeletes() throws {
        let result = try apply(#"{"metadata":{"labels":{"tier":null,"new":"x"}}}"#, pod)
        #expect(result[path: ["metadata", "labels"]] == json(#"{"app":"a","new":"x"}"#))
        #expect(result[path: ["metadata", "name"]] == "p")
    }

    @Test func containersMergeByNameAndEnvByName() throws {
        let result = try apply(
            #"{"spec":{"containers":[{"name":"app","image":"app:2","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}"#,
            pod)
        let containers = result[path: ["spec", "containers"]]
        #expect(
            containers
                == json(
                    #"""
                    [{"name":"app","image":"app:2","env":[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]},
                     {"name":"sidecar","image":"side:1"}]
                    """#))
    }

    /// Without `$setElementOrder`, Go's `mergeSortedSlice` cannot place an element the live list
    /// lacks and puts it before the server-only elements.
    @Test func newElementsWithoutOrderComeFirst() throws {
        let result = try apply(#"{"spec":{"containers":[{"name":"third","image":"t"}]}}"#, pod)
        #expect(
            result[path: ["spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "third", "app", "sidecar",
            ])
        let ordered = try apply(
            #"{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"sidecar"},{"name":"third"}],"containers":[{"name":"third","image":"t"}]}}"#,
            pod)
        #expect(
            ordered[path: ["spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "app", "sidecar", "third",
            ])
    }

    @Test func deleteDirectiveInList() throws {
        let result = try apply(#"{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}"#, pod)
        #expect(
            result[path: ["spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "app"
            ])
        #expect(throws: PatchError.self) {
            try apply(#"{"spec":{"containers":[{"image":"x","$patch":"delete"}]}}"#, pod)
        }
    }

    @Test func replaceDirectiveOnMapAndList() throws {
        let replacedMap = try apply(#"{"metadata":{"labels":{"$patch":"replace","only":"this"}}}"#, pod)
        #expect(replacedMap[path: ["metadata", "labels"]] == json(#"{"only":"this"}"#))
        let replacedList = try apply(
            #"{"spec":{"containers":[{"name":"solo","image":"s"},{"$patch":"replace"}]}}"#, pod)
        #expect(replacedList[path: ["spec", "containers"]] == json(#"[{"name":"solo","image":"s"}]"#))
    }

    @Test func deleteDirectiveOnMapAndMergeDirective() throws {
        let deleted = try apply(#"{"metadata":{"labels":{"$patch":"delete"}}}"#, pod)
        #expect(deleted[path: ["metadata", "labels"]] == nil)
        let merged = try apply(#"{"metadata":{"labels":{"$patch":"merge","x":"y"}}}"#, pod)
        #expect(merged[path: ["metadata", "labels"]] == json(#"{"app":"a","tier":"web","x":"y"}"#))
        #expect(try apply(#"{"$patch":"delete"}"#, pod) == json("{}"))
        let bad = #expect(throws: PatchError.self) {
            try apply(#"{"metadata":{"$patch":"frob"}}"#, pod)
        }
        #expect(bad?.isMalformedPatch == true)
    }

    @Test func retainKeys() throws {
        let result = try apply(
            #"{"spec":{"volumes":[{"name":"v","$retainKeys":["name","configMap"],"configMap":{"name":"cm"}}]}}"#,
            pod)
        #expect(
            result[path: ["spec", "volumes"]] == json(#"[{"name":"v","configMap":{"name":"cm"}}]"#))
        let deployment =
            #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#
        let recreated = try apply(
            #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#, deployment, .deployment)
        #expect(recreated == json(#"{"spec":{"strategy":{"type":"Recreate"}}}"#))
        let error = #expect(throws: PatchError.self) {
            try apply(
                #"{"spec":{"strategy":{"$retainKeys":["type"],"other":1}}}"#, deployment, .deployment)
        }
        #expect(error?.description == "invalid patch format of retainKeys")
        #expect(error?.httpStatus == 400)
    }

    @Test func setElementOrder() throws {
        let result = try apply(
            #"""
            {"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"new"},{"name":"app"}],
                     "containers":[{"name":"new","image":"n"}]}}
            """#, pod)
        #expect(
            result[path: ["spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
                == ["sidecar", "new", "app"])
        let finalizers = try apply(
            #"{"metadata":{"$setElementOrder/finalizers":["c","b","a"],"finalizers":["c"]}}"#, pod)
        #expect(finalizers[path: ["metadata", "finalizers"]] == json(#"["c","b","a"]"#))
        #expect(
            finalizers[path: ["metadata"]]?.objectValue?.keys.contains { $0.hasPrefix("$") } == false)
    }

    @Test func primitiveListsUnionAndDeleteFromPrimitiveList() throws {
        let union = try apply(#"{"metadata":{"finalizers":["b","c"]}}"#, pod)
        #expect(union[path: ["metadata", "finalizers"]] == json(#"["a","b","c"]"#))
        let removed = try apply(
            #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"finalizers":["d"]}}"#, pod)
        #expect(removed[path: ["metadata", "finalizers"]] == json(#"["d","b"]"#))  // new values first, as in Go
    }

    @Test func tolerationsAreReplacedWhole() throws {
        let result = try apply(#"{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}]}}"#, pod)
        #expect(result[path: ["spec", "tolerations"]] == json(#"[{"key":"k2","operator":"Exists"}]"#))
    }

    @Test func unknownFieldsMergeAndGenericListsAreAtomic() throws {
        let original = #"{"data":{"a":"1"},"items":[{"name":"x","v":1}]}"#
        let result = try apply(
            #"{"data":{"b":"2"},"items":[{"name":"x","v":2}],"extra":{"n":null,"m":1}}"#, original,
            .generic)
        #expect(
            result == json(#"{"data":{"a":"1","b":"2"},"items":[{"name":"x","v":2}],"extra":{"m":1}}"#))
    }

    @Test func directivesInNewFieldsAreStripped() throws {
        let result = try apply(
            #"{"spec":{"initContainers":[{"name":"i","env":[{"name":"X","$patch":"delete"}]}]}}"#, pod)
        #expect(result[path: ["spec", "initContainers"]] == json(#"[{"name":"i","env":[]}]"#))
    }

    @Test func errorsAndSchemas() {
        let error = #expect(throws: PatchError.self) { try apply("[]", pod) }
        #expect(
            error?.description
                == "json: cannot unmarshal array into Go value of type map[string]interface {}")
        #expect(error?.isMalformedPatch == true)
        let noKey = #expect(throws: PatchError.self) {
            try apply(#"{"spec":{"containers":[{"image":"x"}]}}"#, pod)
        }
        #expect(noKey?.description == #"map: {"image":"x"} does not contain declared merge key: name"#)
        #expect(noKey?.httpStatus == 422)
        #expect(PatchSchema.forKind("Pod") === PatchSchema.pod)
        #expect(PatchSchema.forKind("ConfigMap") === PatchSchema.generic)
        #expect(PatchSchema.forKind("Widget") == nil)
        #expect(PatchSchema.pod.field("spec").field("tolerations").isMergedList == false)
        #expect(PatchSchema.node.field("status").field("addresses").listMergeKey == "type")
        #expect(PatchSchema.service.field("spec").field("ports").listMapKeys == ["port", "protocol"])
    }

    @Test func deploymentTemplateIsAPodTemplate() throws {
        let deployment =
            #"{"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}}}"#
        let result = try apply(
            #"{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"b","image":"2"}]}}}}"#,
            deployment,
            .deployment)
        #expect(
            result
                == json(
                    #"{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}}}}"#
                ))
    }
}
