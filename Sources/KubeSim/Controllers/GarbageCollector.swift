import KubeModel
import NIOCore
import Synchronization

/// Deletes dependents whose owner is gone, in the background, as kube-controller-manager's
/// garbage collector does for `propagationPolicy: Background` (`pkg/controller/garbagecollector`);
/// also deletes pods bound to a Node that no longer exists (`pkg/controller/podgc`) and finishes
/// namespaces whose last object went away.
final class GarbageCollector: Sendable {
    private struct State {
        /// owner uid -> dependents
        var dependents: [String: Set<Dependent>] = [:]
        var queue: [HistoryEvent] = []
    }

    struct Dependent: Hashable {
        var resource: GroupResource
        var key: ObjectKey
    }

    private let api: APIServer
    private let loop: any EventLoop
    private let state = Mutex(State())

    /// - Parameter loop: the controllers' own event loop; deletions are processed there.
    init(api: APIServer, loop: any EventLoop) {
        self.api = api
        self.loop = loop
    }

    /// Records ownership and queues deletions; called by the store after each change.
    func observe(_ event: HistoryEvent) {
        let dependent = Dependent(resource: event.resource, key: event.object.key)
        var queued = false
        state.withLock { state in
            for uid in event.previous?.ownerUIDs ?? [] { state.dependents[uid]?.remove(dependent) }
            if event.type != .deleted {
                for uid in event.object.ownerUIDs { state.dependents[uid, default: []].insert(dependent) }
            }
            let interesting =
                event.type == .deleted
                && (state.dependents[event.object.uid] != nil || event.resource.resource == "nodes"
                    || !event.object.key.namespace.isEmpty)
            if interesting {
                state.queue.append(event)
                queued = true
            }
        }
        if queued { loop.execute { [self] in drain() } }
    }

    private func drain() {
        let events = state.withLock { state -> [HistoryEvent] in
            let events = state.queue
            state.queue.removeAll()
            return events
        }
        for event in events { process(event) }
    }

    private func process(_ event: HistoryEvent) {
        let dependents = state.withLock { $0.dependents.removeValue(forKey: event.object.uid) } ?? []
        for dependent in dependents {
            guard let type = api.registry.lookup(dependent.resource),
                let object = api.store.get(dependent.resource, dependent.key),
                object.ownerUIDs.contains(event.object.uid)
            else { continue }
            var options = APIServer.DeleteOptions()
            options.preconditionUID = object.uid
            _ = try? api.deleteObject(type, key: dependent.key, options: options)
        }
        if event.resource == GroupResource(group: "", resource: "nodes") {
            deletePods(onNode: event.object.key.name)
        }
        if !event.object.key.namespace.isEmpty {
            api.finalizeNamespace(event.object.key.namespace)
        }
    }

    /// Pod GC: pods bound to a node that is gone are deleted at once.
    private func deletePods(onNode node: String) {
        guard let pods = api.registry.lookup(group: "", version: "v1", plural: "pods") else { return }
        let filter = ObjectFilter { _, fields in fields["spec.nodeName"] == node }
        let objects = (try? api.store.list(pods.storageKey, filter: filter).objects) ?? []
        for object in objects {
            var options = APIServer.DeleteOptions()
            options.gracePeriodSeconds = 0
            options.preconditionUID = object.uid
            _ = try? api.deleteObject(pods, key: object.key, options: options)
        }
    }
}
