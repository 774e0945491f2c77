using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TaskFlow.UnitTests.Deploy;

// How the checks read compose services, Kubernetes workloads, settings and project references.
public sealed partial class DeployFilesTests
{
    private static readonly string[] HealthPaths = ["/health/live", "/health/ready"];

    private sealed record Problem(DeploySetting Setting, string Text);

    private sealed record Process(string Name, IReadOnlyDictionary<string, string?> Environment, bool Migration);

    private static List<Problem> NameProblems(IEnumerable<DeploySetting> settings) =>
        settings
            .Where(s => TaskFlowSettingShape.IsTaskFlowKey(s.Key))
            .Select(s => (Setting: s, Resolved: TaskFlowSettingShape.Resolve(s.Key)))
            .Where(s => s.Resolved.Problem is not null)
            .Select(s => new Problem(s.Setting, $"{s.Setting.Source}: {s.Setting.Key} {s.Resolved.Problem}"))
            .ToList();

    // Values Compose fills in from the shell (${…}) are known only when it runs.
    private static List<Problem> ValueProblems(IEnumerable<DeploySetting> settings) =>
        settings
            .Where(s => TaskFlowSettingShape.IsTaskFlowKey(s.Key) && s.Value is not null && !s.Value.Contains("${", StringComparison.Ordinal))
            .Select(s => (Setting: s, TaskFlowSettingShape.Resolve(s.Key).Type))
            .Where(s => s.Type is not null)
            .Select(s => (s.Setting, Problem: TaskFlowSettingShape.CheckValue(s.Type!, s.Setting.Value!)))
            .Where(s => s.Problem is not null)
            .Select(s => new Problem(s.Setting, $"{s.Setting.Source}: {s.Setting.Key}: {s.Problem}"))
            .ToList();

    private static bool IsSilo(Dockerfile? dockerfile) => dockerfile is not null && Path.GetFileName(dockerfile.Path) == "Silo.Dockerfile";

    private static bool IsApi(Dockerfile? dockerfile) => dockerfile is not null && Path.GetFileName(dockerfile.Path) == "Api.Dockerfile";

    private static bool IsMigration(IReadOnlyDictionary<string, object?> serviceOrContainer) =>
        serviceOrContainer.Seq("command").Concat(serviceOrContainer.Seq("args")).Contains("--migrate-only");

    private static IEnumerable<(string Name, IReadOnlyDictionary<string, object?> Service)> ComposeServicesBuiltFrom(Func<Dockerfile?, bool> image) =>
        Files.ComposeServices.Where(s => image(Files.ComposeDockerfile(s.Service)));

    // Never empty: a check over no silos would pass for nothing.
    private static List<(string Name, IReadOnlyDictionary<string, object?> Service)> ComposeSilos()
    {
        var silos = ComposeServicesBuiltFrom(IsSilo).Where(s => !IsMigration(s.Service)).ToList();
        Assert.True(silos.Count > 0, "deploy/compose.yaml runs no silo built from Silo.Dockerfile.");
        return silos;
    }

    private static IEnumerable<(KubernetesObject Owner, IReadOnlyDictionary<string, object?> Container)> KubernetesWorkloads(Func<Dockerfile?, bool> image) =>
        Files.Kubernetes
            .Where(o => o.Kind is "Deployment" or "StatefulSet" or "DaemonSet")
            .SelectMany(o => o.Containers.Select(c => (Owner: o, Container: c)))
            .Where(w => image(Files.DockerfileOfImage(w.Container.Str("image"))));

    // Never empty: a check over no silos would pass for nothing.
    private static List<(KubernetesObject Owner, IReadOnlyDictionary<string, object?> Container)> KubernetesSilos()
    {
        var silos = KubernetesWorkloads(IsSilo).ToList();
        Assert.True(silos.Count > 0, "deploy/k8s has no workload running the silo image.");
        return silos;
    }

    private static string? Setting(IReadOnlyDictionary<string, string?> environment, string key) => environment.GetValueOrDefault(key);

    private static TimeSpan ShutdownGrace(IReadOnlyDictionary<string, string?> environment) =>
        Setting(environment, "TaskFlow:ShutdownGrace") is { } grace ? TimeSpan.Parse(grace, CultureInfo.InvariantCulture) : Defaults.ShutdownGrace;

    private static int HealthPort(IReadOnlyDictionary<string, string?> environment, string where)
    {
        var port = Number(Setting(environment, "TaskFlow:Cluster:HealthPort") ?? "0");
        Assert.True(port > 0, $"{where}: the silo is given no TaskFlow:Cluster:HealthPort, so it serves no health endpoints.");
        return port;
    }

    private static IEnumerable<int> HttpPorts(IReadOnlyDictionary<string, string?> environment) =>
        (Setting(environment, "ASPNETCORE_HTTP_PORTS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Number);

    private static void AssertProbe(KubernetesObject owner, IReadOnlyDictionary<string, object?> container, string probe, string path, int port)
    {
        var get = container.Map(probe).Map("httpGet");
        Assert.True(get is not null, $"{owner}: container {container.Str("name")} has no HTTP {probe}.");
        Assert.Equal(path, get.Str("path"));
        var named = get.Str("port") ?? "";
        var resolved = int.TryParse(named, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : Number(container.Maps("ports").Single(p => p.Str("name") == named).Str("containerPort") ?? "");
        Assert.True(resolved == port, $"{owner}: {probe} asks port {resolved}, the process serves {path} on {port}.");
    }

    private static Uri? ComposeHealthCheckUrl(IReadOnlyDictionary<string, object?> service) =>
        service.Map("healthcheck") is { } check
            ? check.Str("disable") == "true" ? null : Dockerfile.FindUrl(HealthCheckCommand(service))
            : Files.ComposeDockerfile(service)?.HealthCheckUrl;

    private static string HealthCheckCommand(IReadOnlyDictionary<string, object?> service) =>
        service.Map("healthcheck") is { } check
            ? check.Str("test") ?? string.Join(' ', check.Seq("test").OfType<string>())
            : "";

    // depends_on as a list (service_started) or a mapping with conditions.
    private static string? DependsOn(IReadOnlyDictionary<string, object?> service, string other) =>
        service.Map("depends_on") is { } map
            ? map.ContainsKey(other) ? map.Map(other).Str("condition") ?? "service_started" : null
            : service.Seq("depends_on").Contains(other) ? "service_started" : null;

    private static bool Selects(IReadOnlyDictionary<string, object?>? selector, IReadOnlyDictionary<string, object?> labels) =>
        selector.Map("matchLabels") is { Count: > 0 } match && selector.Seq("matchExpressions").Count == 0 &&
        match.All(l => labels.TryGetValue(l.Key, out var value) && Equals(value, l.Value));

    private static string? FieldPath(Dictionary<string, IReadOnlyDictionary<string, object?>> variables, string name) =>
        variables.GetValueOrDefault(name).Map("valueFrom").Map("fieldRef").Str("fieldPath");

    private static void AssertOneValue(IEnumerable<Process> processes, string key, string? fallback)
    {
        var values = processes.Select(p => (p.Name, Value: Setting(p.Environment, key) ?? fallback)).ToList();
        Assert.True(values.All(v => !string.IsNullOrEmpty(v.Value)) && values.Select(v => v.Value).Distinct(StringComparer.Ordinal).Count() == 1,
            $"{key} differs: " + string.Join(", ", values.Select(v => $"{v.Name}={v.Value ?? "(none)"}")));
    }

    // A project and every project it references, repository-relative.
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current)) continue;
            var directory = Path.GetDirectoryName(Path.Combine(Files.Root, current))!;
            foreach (var reference in XDocument.Load(Path.Combine(Files.Root, current)).Descendants("ProjectReference"))
                pending.Push(Files.Relative(Path.GetFullPath(Path.Combine(directory, (string)reference.Attribute("Include")!))));
        }
        return seen;
    }

    private static string AssemblyName(string project) =>
        XDocument.Load(Path.Combine(Files.Root, project)).Descendants("AssemblyName").FirstOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(project);

    private static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    // Compose durations: 45s, 1m30s, 500ms, 2h.
    private static TimeSpan ComposeDuration(string text)
    {
        var match = Duration().Match(text);
        Assert.True(match.Success, $"'{text}' is not a compose duration.");
        return match.Groups["value"].Captures.Zip(match.Groups["unit"].Captures).Aggregate(TimeSpan.Zero, (sum, part) =>
        {
            var value = double.Parse(part.First.Value, CultureInfo.InvariantCulture);
            return sum + part.Second.Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                _ => TimeSpan.FromMicroseconds(value),
            };
        });
    }

    [GeneratedRegex(@"^(?:(?<value>\d+(?:\.\d+)?)(?<unit>h|ms|us|m|s))+$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"[\w./-]+\.csproj")]
    private static partial Regex Project();
}
