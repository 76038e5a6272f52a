import Foundation
import KubeMachinery
import KubeModel
import Roost

/// The demo's seeded sessions: Poisson arrivals; 55 % for runtime `coder` (a fifth of them
/// scheduled, some through a scheduled root), 20 % nightly `reviewer` runs (scheduled), 25 % for
/// `analyst` (half of those on the `large-2x` preset).
struct Workload: Sendable {
    struct Arrival: Sendable {
        var at: Double
        var name: String
        var runtime: String
        var triggerSource: String
        var rootTriggerSource: String?
        var machine: String
        var object: JSONValue
    }

    let arrivals: [Arrival]
    private let lifetimes: [String: Double]

    init(seed: UInt64, configuration: Demo.Configuration) {
        var random = SplitMix64(seed: seed)
        var arrivals: [Arrival] = []
        var lifetimes: [String: Double] = [:]
        var time = 0.0
        var index = 0
        while true {
            let uniform = Double(random.next() >> 11) / Double(1 << 53)
            time += -log(max(uniform, 1e-9)) / configuration.arrivalsPerSecond
            guard time < configuration.arrivalSeconds else { break }
            index += 1
            let pick = Double.random(in: 0..<1, using: &random)
            let runtime = pick < 0.55 ? "coder" : pick < 0.75 ? "reviewer" : "analyst"
            let roll = Double.random(in: 0..<1, using: &random)
            let trigger =
                runtime == "reviewer" || roll < 0.15 ? "schedule" : ["api", "sdk", "dashboard"][Int(random.next() % 3)]
            let scheduledRoot = trigger != "schedule" && roll < 0.2
            let machine = runtime == "analyst" && Bool.random(using: &random) ? "large-2x" : "default"
            let name = String(format: "s%03d", index)
            var spec: JSONObject = ["runtimeRef": ["name": .string(runtime)], "triggerSource": .string(trigger)]
            if scheduledRoot { spec["rootTriggerSource"] = "schedule" }
            if machine != "default" { spec["machine"] = .string(machine) }
            let object: JSONValue = [
                "apiVersion": .string(RoostAPI.apiVersion), "kind": "AgentSession",
                "metadata": ["name": .string(name), "namespace": "agents"], "spec": .object(spec),
            ]
            arrivals.append(
                Arrival(
                    at: time, name: name, runtime: runtime, triggerSource: trigger,
                    rootTriggerSource: scheduledRoot ? "schedule" : nil,
                    machine: machine, object: object))
            lifetimes[name] = Double.random(in: configuration.lifetime, using: &random)
        }
        self.arrivals = arrivals
        self.lifetimes = lifetimes
    }

    /// Seconds the session lives once Ready.
    func lifetime(of session: String) -> Double { lifetimes[session] ?? 3 }
}
