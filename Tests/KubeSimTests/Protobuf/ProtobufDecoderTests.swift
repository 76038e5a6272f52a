import KubeModel
import Testing

@testable import KubeSim

/// The protobuf wire reader and the schema-driven conversion to JSON, on hand-built inputs.
struct ProtobufDecoderTests {
    @Test func varints() async throws {
        var reader = ProtobufReader([0x01, 0xAC, 0x02] + ProtoWriter.varintBytes(UInt64.max) + [0x96, 0x01])
        #expect(try reader.readVarint() == 1)
        #expect(try reader.readVarint() == 300)
        #expect(try reader.readVarint() == UInt64.max)
        #expect(try reader.readVarint() == 150)
        #expect(reader.isAtEnd)

        // A negative int64 is ten bytes of two's complement.
        let minusOne = ProtoWriter.varintBytes(UInt64(bitPattern: -1))
        #expect(minusOne.count == 10)
        var negative = ProtobufReader(minusOne)
        #expect(Int64(bitPattern: try negative.readVarint()) == -1)

        // A tenth byte may carry only the 64th bit.
        var overflow = ProtobufReader(Array(repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: ProtobufError.varintTooLong(offset: 0)) { try overflow.readVarint() }
        var truncated = ProtobufReader([0x80, 0x80])
        #expect(throws: ProtobufError.truncated(offset: 2)) { try truncated.readVarint() }
    }

    @Test func fixedWidthAndTags() async throws {
        let bytes = ProtoWriter.message { writer in
            writer.fixed32(3, 0x0403_0201)
            writer.fixed64(4, 0x0807_0605_0403_0201)
            writer.string(536_870_911, "max field")
        }
        var reader = ProtobufReader(bytes)
        let first = try #require(try reader.nextField())
        #expect(first.number == 3)
        #expect(first.value == .fixed32(0x0403_0201))
        let second = try #require(try reader.nextField())
        #expect(second.value == .fixed64(0x0807_0605_0403_0201))
        let third = try #require(try reader.nextField())
        #expect(third.number == 536_870_911)
        #expect(third.value == .lengthDelimited(Array("max field".utf8)[...]))
        #expect(try reader.nextField() == nil)

        var badWireType = ProtobufReader([0x0F])
        #expect(throws: ProtobufError.invalidWireType(7, offset: 0)) { try badWireType.nextField() }
        var fieldZero = ProtobufReader([0x02, 0x00])
        #expect(throws: ProtobufError.invalidFieldNumber(0, offset: 0)) { try fieldZero.nextField() }
        var shortFixed = ProtobufReader([0x1D, 0x01, 0x02])
        #expect(throws: ProtobufError.truncated(offset: 3)) { try shortFixed.nextField() }
    }

    @Test func nestedMessagesMapsRepeatedAndTime() async throws {
        let meta = ProtoWriter.message { meta in
            meta.string(1, "web")
            meta.string(2, "")
            meta.string(3, "default")
            meta.string(4, "")
            meta.string(6, "")
            meta.int64(7, 0)
            meta.message(8) { time in time.int64(1, 1_700_000_000) }
            meta.bytes(9, [])
            meta.mapEntry(11, "app", "web")
            meta.mapEntry(11, "tier", "front")
            meta.message(11) { entry in entry.string(1, "empty") }
            meta.mapEntry(12, "note", "x")
            meta.message(13) { owner in
                owner.string(1, "ReplicaSet")
                owner.string(3, "web-1")
                owner.bool(6, true)
            }
            meta.string(14, "a/one")
            meta.string(14, "b/two")
        }
        let object = try ProtobufConverter.object(meta[...], as: ProtobufSchemas.objectMeta)
        let expected: JSONValue = [
            "name": "web", "namespace": "default", "creationTimestamp": "2023-11-14T22:13:20Z",
            "labels": ["app": "web", "tier": "front", "empty": ""], "annotations": ["note": "x"],
            "ownerReferences": [["apiVersion": "", "kind": "ReplicaSet", "name": "web-1", "uid": "", "controller": true]],
            "finalizers": ["a/one", "b/two"],
        ]
        #expect(JSONValue.object(object) == expected)
        #expect(object.keys.first == "name", "members follow the schema's order")
    }

    @Test func bytesBecomeBase64AndPointersKeepZeroValues() async throws {
        let secret = ProtoWriter.message { secret in
            secret.message(1) { meta in meta.string(1, "s") }
            secret.mapEntry(2, "k", bytes: Array("v".utf8))
            secret.mapEntry(2, "bin", bytes: [0x00, 0xFF, 0x10])
            secret.mapEntry(4, "plain", "text")
            secret.string(3, "Opaque")
            secret.bool(5, false)
        }
        let object = try ProtobufConverter.object(secret[...], as: ProtobufSchemas.secret)
        #expect(object["data"] == ["k": "dg==", "bin": "AP8Q"])
        #expect(object["stringData"] == ["plain": "text"])
        #expect(object["type"] == "Opaque")
        #expect(object["immutable"] == false, "a *bool on the wire is set, even when false")

        let options = ProtoWriter.message { options in
            options.int64(1, -1)
            options.message(2) { preconditions in preconditions.string(1, "") }
            options.string(5, "All")
        }
        let converted = try ProtobufConverter.object(options[...], as: ProtobufSchemas.deleteOptions)
        #expect(JSONValue.object(converted) == ["gracePeriodSeconds": -1, "preconditions": ["uid": ""], "dryRun": ["All"]])
    }

    @Test func unknownFieldsAreSkippedAndLaterScalarsWin() async throws {
        let configMap = ProtoWriter.message { cm in
            cm.varint(99, 7)
            cm.fixed32(98, 1)
            cm.fixed64(97, 2)
            cm.string(96, "ignored")
            // A group (wire types 3 and 4) with a nested group inside.
            cm.tag(95, 3)
            cm.varint(1, 1)
            cm.tag(94, 3)
            cm.tag(94, 4)
            cm.tag(95, 4)
            cm.message(1) { meta in meta.string(1, "first") }
            cm.message(1) { meta in meta.string(3, "ns") }
            cm.mapEntry(2, "a", "b")
            cm.mapEntry(2, "a", "c")
            cm.bool(4, false)
            cm.bool(4, true)
        }
        let object = try ProtobufConverter.object(configMap[...], as: ProtobufSchemas.configMap)
        #expect(
            JSONValue.object(object) == [
                "metadata": ["name": "first", "namespace": "ns"], "immutable": true, "data": ["a": "c"],
            ])
    }

    @Test func malformedInputIsAnError() async throws {
        let valid = ProtoWriter.message { cm in
            cm.message(1) { meta in meta.string(1, "name") }
        }
        // Cut inside the nested message: its declared length runs past the end.
        #expect(throws: ProtobufError.truncated(offset: valid.count - 1)) {
            try ProtobufConverter.object(valid.dropLast(), as: ProtobufSchemas.configMap)
        }
        let wrongType = ProtoWriter.message { cm in cm.varint(1, 5) }
        #expect(throws: ProtobufError.wrongWireType(field: "ConfigMap.metadata", got: .varint)) {
            try ProtobufConverter.object(wrongType[...], as: ProtobufSchemas.configMap)
        }
        let badUTF8 = ProtoWriter.message { meta in meta.bytes(1, [0xC3, 0x28]) }
        #expect(throws: ProtobufError.invalidUTF8(field: "ObjectMeta.name")) {
            try ProtobufConverter.object(badUTF8[...], as: ProtobufSchemas.objectMeta)
        }
        let strayEnd = ProtoWriter.message { cm in cm.tag(5, 4) }
        #expect(throws: ProtobufError.unbalancedGroup(offset: 0)) {
            try ProtobufConverter.object(strayEnd[...], as: ProtobufSchemas.configMap)
        }
    }

    @Test func envelope() async throws {
        let raw = ProtoWriter.message { ns in ns.message(1) { meta in meta.string(1, "team") } }
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Namespace", raw: raw)
        let envelope = try KubernetesProtobufEnvelope(decoding: body)
        #expect(envelope.apiVersion == "v1")
        #expect(envelope.kind == "Namespace")
        #expect(Array(envelope.raw) == raw)

        #expect(throws: KubernetesProtobufEnvelope.Failure.emptyData) { try KubernetesProtobufEnvelope(decoding: []) }
        #expect(throws: KubernetesProtobufEnvelope.Failure.missingPrefix) {
            try KubernetesProtobufEnvelope(decoding: Array("{}".utf8))
        }
        #expect(throws: KubernetesProtobufEnvelope.Failure.emptyBody) {
            try KubernetesProtobufEnvelope(decoding: KubernetesProtobufEnvelope.magic)
        }
        #expect(throws: KubernetesProtobufEnvelope.Failure.malformed(.truncated(offset: 3))) {
            try KubernetesProtobufEnvelope(decoding: KubernetesProtobufEnvelope.magic + [0x12, 0x05, 0x01])
        }
    }

    @Test func serverDecodesBodiesAndRejectsWhatItCannot() async throws {
        try await withSim(runKubelet: false) { sim, _ in
            let raw = ProtoWriter.message { cm in
                cm.message(1) { meta in meta.string(1, "c") }
                cm.mapEntry(2, "a", "b")
            }
            let decoded = try sim.api.decodeProtobufBody(ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap", raw: raw))
            #expect(decoded == ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "c"], "data": ["a": "b"]])

            do throws(APIError) {
                _ = try sim.api.decodeProtobufBody(ProtoWriter.envelope(apiVersion: "v1", kind: "Pod", raw: []))
                Issue.record("a Pod body was accepted")
            } catch {
                #expect(error.code == 415)
                #expect(
                    error.message
                        == "protobuf request bodies for Pod are not supported by the simulated cluster; send application/json")
            }
            do throws(APIError) {
                _ = try sim.api.decodeProtobufBody(
                    ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap", raw: Array(raw.dropLast())))
                Issue.record("a truncated body was accepted")
            } catch {
                #expect(error.code == 400)
                #expect(error.message.hasPrefix("unable to decode protobuf ConfigMap: unexpected end of protobuf data"))
            }
        }
    }
}
