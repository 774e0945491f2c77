using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TaskFlow.UnitTests.Deploy;

/// <summary>What deploy/ (compose.yaml, k8s/, docker/) must keep true. The files cannot run here, so these read
/// them: a setting that a rename left behind, a probe on the wrong port or a grace period shorter than the drain
/// fails here instead of in a cluster.</summary>
public sealed partial class DeployFilesTests
{
    // After its ShutdownGrace a silo still hands over its grains and leaves the membership table; a kill before
    // that leaves the cluster to find it dead.
    private static readonly TimeSpan LeaveTime = TimeSpan.FromSeconds(10);

    private static readonly TaskFlowOptions Defaults = new();

    private static DeployFiles Files => DeployFiles.Current;

    [Fact]
    public void Every_TaskFlow_setting_in_the_deploy_files_exists()
    {
        var problems = NameProblems(Files.Settings());

        Assert.True(problems.Count == 0, "Settings that set nothing:\n" + string.Join('\n', problems.Select(p => p.Text)));
    }

    [Fact]
    public void Every_TaskFlow_value_in_the_deploy_files_binds_and_enums_are_given_by_name()
    {
        var problems = ValueProblems(Files.Settings());

        Assert.True(problems.Count == 0, "Values that do not bind:\n" + string.Join('\n', problems.Select(p => p.Text)));
    }

    [Fact]
    public void The_setting_checks_read_every_kind_of_deploy_file()
    {
        var sources = Files.Settings().Where(s => TaskFlowSettingShape.IsTaskFlowKey(s.Key)).Select(s => s.Source).ToList();

        Assert.Contains(sources, s => s.StartsWith("deploy/compose.yaml: services.", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.Contains(": ConfigMap ", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.Contains(": Secret ", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.Contains(", container ", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.StartsWith("deploy/docker/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_misspelt_renamed_or_misplaced_setting_fails_the_check()
    {
        string[] fine =
        [
            "TaskFlow__Cluster__HealthPort",
            "taskflow__cluster__healthport",                // configuration keys ignore case
            "TaskFlow:Storage:Provider",                    // a ConfigMap or appsettings key
            "TaskFlow__Dashboard__Users__ops__PasswordHash", // any user name
            "TaskFlow__Dashboard__Users__ops__Role",
            "TaskFlow__RetentionDays",                      // nullable
        ];
        string[] wrong =
        [
            "TaskFlow__Cluster__HealthPrt",                 // misspelt
            "TaskFlow__ShutdownGraceSeconds",               // renamed
            "TaskFlow__Cluster__HealthPort__Path",          // goes past a value
            "TaskFlow__Storage",                            // a section, not a value
            "TaskFlow__Dashboard__Mode",                    // read-only: configuration cannot set it
            "TaskFlow__Dashboard__Users__ops__Pasword",     // misspelt inside a dictionary entry
            "TaskFlow__Dashboard__Users__ops",              // an entry is a section
            "TaskFlow__Dashboard__Users____Role",           // no user name
        ];
        var settings = fine.Concat(wrong).Select(key => new DeploySetting("made up", key, null));

        var failing = NameProblems(settings).Select(p => p.Setting.Key);

        Assert.Equal(wrong, failing);
    }

    [Theory]
    [InlineData("TaskFlow__Storage__Provider", "Postgres", true)]
    [InlineData("TaskFlow__Storage__Provider", "postgres", true)] // binding ignores case
    [InlineData("TaskFlow__Storage__Provider", "PostgreSQL", false)]
    [InlineData("TaskFlow__Storage__Provider", "2", false)] // binds, but names nothing a reader knows
    [InlineData("TaskFlow__Cluster__Mode", "Client", true)]
    [InlineData("TaskFlow__Cluster__Mode", "Cluster", false)]
    [InlineData("TaskFlow__ShutdownGrace", "00:00:30", true)]
    [InlineData("TaskFlow__ShutdownGrace", "30s", false)]
    [InlineData("TaskFlow__Cluster__HealthPort", "8081", true)]
    [InlineData("TaskFlow__Cluster__HealthPort", "health", false)]
    [InlineData("TaskFlow__Cluster__Kubernetes", "true", true)]
    [InlineData("TaskFlow__Cluster__Kubernetes", "yes", false)]
    public void A_value_that_does_not_bind_fails_the_check(string key, string value, bool binds)
    {
        var problems = ValueProblems([new DeploySetting("made up", key, value)]);

        Assert.Equal(binds, problems.Count == 0);
    }

    [Fact]
    public void Silos_may_take_longer_to_stop_than_their_ShutdownGrace()
    {
        foreach (var (name, service) in ComposeSilos())
        {
            var grace = ShutdownGrace(Files.ComposeEnvironment(service));
            // Compose's default is 10 s.
            var stop = ComposeDuration(service.Str("stop_grace_period") ?? "10s");
            Assert.True(stop >= grace + LeaveTime,
                $"compose service {name}: stop_grace_period {stop} leaves no {LeaveTime} after ShutdownGrace {grace}.");
        }
        foreach (var (deployment, container) in KubernetesSilos())
        {
            var grace = ShutdownGrace(Files.ContainerEnvironment(deployment, container));
            // Kubernetes' default is 30 s.
            var period = TimeSpan.FromSeconds(Number(deployment.PodTemplate.Map("spec").Str("terminationGracePeriodSeconds") ?? "30"));
            Assert.True(period >= grace + LeaveTime,
                $"{deployment}: terminationGracePeriodSeconds {period} leaves no {LeaveTime} after ShutdownGrace {grace}.");
        }
    }

    [Fact]
    public void Silo_probes_ask_the_silos_health_port_for_live_and_ready()
    {
        foreach (var (deployment, container) in KubernetesSilos())
        {
            var healthPort = HealthPort(Files.ContainerEnvironment(deployment, container), deployment.ToString());
            AssertProbe(deployment, container, "livenessProbe", "/health/live", healthPort);
            AssertProbe(deployment, container, "readinessProbe", "/health/ready", healthPort);
            if (container.Map("startupProbe") is not null) AssertProbe(deployment, container, "startupProbe", "/health/live", healthPort);
        }
        foreach (var (name, service) in ComposeSilos())
        {
            var url = ComposeHealthCheckUrl(service);
            Assert.True(url is not null, $"compose service {name}: no health check requests a URL (the API waits for healthy silos).");
            Assert.Equal(HealthPort(Files.ComposeEnvironment(service), name), url.Port);
            Assert.Contains(url.AbsolutePath, HealthPaths);
        }
        foreach (var dockerfile in Files.Dockerfiles.Where(IsSilo))
        {
            var url = dockerfile.HealthCheckUrl;
            Assert.True(url is not null, $"{Files.Relative(dockerfile.Path)}: HEALTHCHECK requests no URL.");
            Assert.Equal(HealthPort(Files.ImageEnvironment(dockerfile), Files.Relative(dockerfile.Path)), url.Port);
            Assert.Contains(url.AbsolutePath, HealthPaths);
        }
    }

    [Fact]
    public void Api_probes_ask_the_api_http_port_for_live_and_ready()
    {
        var deployments = KubernetesWorkloads(IsApi).ToList();
        Assert.NotEmpty(deployments);
        foreach (var (deployment, container) in deployments)
        {
            var port = Assert.Single(HttpPorts(Files.ContainerEnvironment(deployment, container)));
            AssertProbe(deployment, container, "livenessProbe", "/health/live", port);
            AssertProbe(deployment, container, "readinessProbe", "/health/ready", port);
        }
        foreach (var (_, service) in ComposeServicesBuiltFrom(IsApi))
        {
            var url = ComposeHealthCheckUrl(service);
            Assert.NotNull(url);
            Assert.Contains(url.Port, HttpPorts(Files.ComposeEnvironment(service)));
            Assert.Contains(url.AbsolutePath, HealthPaths);
        }
    }

    [Fact]
    public void A_PodDisruptionBudget_lets_one_silo_go_at_a_time()
    {
        foreach (var (deployment, _) in KubernetesSilos())
        {
            var labels = deployment.PodTemplate.Map("metadata").Map("labels") ?? new Dictionary<string, object?>();
            var budgets = Files.OfKind("PodDisruptionBudget")
                .Where(b => b.Namespace == deployment.Namespace && Selects(b.Root.Map("spec").Map("selector"), labels))
                .ToList();

            var budget = Assert.Single(budgets);
            Assert.Equal("1", budget.Root.Map("spec").Str("maxUnavailable"));
        }
    }

    [Fact]
    public void Kubernetes_silos_give_Orleans_Kubernetes_hosting_what_it_reads()
    {
        foreach (var (deployment, container) in KubernetesSilos())
        {
            var environment = Files.ContainerEnvironment(deployment, container);
            Assert.Equal("true", Setting(environment, "TaskFlow:Cluster:Kubernetes"), ignoreCase: true);

            // Orleans.Hosting.Kubernetes (KubernetesHostingOptions) reads these variables and selects the
            // cluster's pods by these labels.
            var variables = container.Maps("env").ToDictionary(v => v.Str("name") ?? "", StringComparer.Ordinal);
            Assert.Equal("metadata.name", FieldPath(variables, "POD_NAME"));
            Assert.Equal("metadata.namespace", FieldPath(variables, "POD_NAMESPACE"));
            Assert.Equal("status.podIP", FieldPath(variables, "POD_IP"));
            var labels = deployment.PodTemplate.Map("metadata").Map("labels");
            var serviceId = Setting(environment, "TaskFlow:Cluster:ServiceId") ?? Defaults.Cluster.ServiceId;
            var clusterId = Setting(environment, "TaskFlow:Cluster:ClusterId") ?? Defaults.Cluster.ClusterId;
            Assert.Equal(serviceId, labels.Str("orleans/serviceId"));
            Assert.Equal(clusterId, labels.Str("orleans/clusterId"));
            Assert.Equal(serviceId, Setting(environment, "ORLEANS_SERVICE_ID") ?? serviceId);
            Assert.Equal(clusterId, Setting(environment, "ORLEANS_CLUSTER_ID") ?? clusterId);

            // It labels its own pod (get, patch), watches the cluster's pods (list, watch) and may delete the
            // pods of dead silos (delete).
            var account = deployment.PodTemplate.Map("spec").Str("serviceAccountName");
            Assert.NotNull(account);
            Assert.Contains(Files.OfKind("ServiceAccount"), a => a.Name == account && a.Namespace == deployment.Namespace);
            var verbs = Files.OfKind("RoleBinding")
                .Where(b => b.Namespace == deployment.Namespace && b.Root.Maps("subjects").Any(s =>
                    s.Str("kind") == "ServiceAccount" && s.Str("name") == account && (s.Str("namespace") ?? b.Namespace) == deployment.Namespace))
                .Select(b => b.Root.Map("roleRef"))
                .SelectMany(r => Files.OfKind(r.Str("kind") ?? "").Where(role => role.Name == r.Str("name") && (role.Kind == "ClusterRole" || role.Namespace == deployment.Namespace)))
                .SelectMany(role => role.Root.Maps("rules"))
                .Where(rule => rule.Seq("apiGroups").Contains("") && rule.Seq("resources").Contains("pods"))
                .SelectMany(rule => rule.Seq("verbs").OfType<string>())
                .ToHashSet(StringComparer.Ordinal);
            Assert.Superset(new HashSet<string>(["get", "list", "watch", "patch", "delete"], StringComparer.Ordinal), verbs);
        }
    }

    [Fact]
    public void Silos_api_nodes_and_the_migration_share_one_PostgreSQL_cluster()
    {
        var compose = ComposeServicesBuiltFrom(d => IsSilo(d) || IsApi(d))
            .Select(s => new Process(s.Name, Files.ComposeEnvironment(s.Service), IsMigration(s.Service)));
        var kubernetes = KubernetesWorkloads(d => IsSilo(d) || IsApi(d))
            .Concat(Files.OfKind("Job").SelectMany(j => j.Containers.Select(c => (Owner: j, Container: c))))
            .Select(w => new Process(w.Owner.ToString(), Files.ContainerEnvironment(w.Owner, w.Container), IsMigration(w.Container)));

        foreach (var processes in new[] { compose.ToList(), kubernetes.ToList() })
        {
            Assert.Contains(processes, p => p.Migration);
            Assert.True(processes.Count(p => !p.Migration) >= 2, "Expected silos and an API node.");
            foreach (var process in processes)
            {
                Assert.True(string.Equals(Setting(process.Environment, "TaskFlow:Storage:Provider"), nameof(StorageProvider.Postgres), StringComparison.OrdinalIgnoreCase),
                    $"{process.Name}: TaskFlow:Storage:Provider is not Postgres.");
            }
            AssertOneValue(processes, "TaskFlow:Storage:ConnectionString", fallback: null);
            // The migration joins no cluster; the others must all join the same one.
            AssertOneValue(processes.Where(p => !p.Migration), "TaskFlow:Cluster:ClusterId", Defaults.Cluster.ClusterId);
            AssertOneValue(processes.Where(p => !p.Migration), "TaskFlow:Cluster:ServiceId", Defaults.Cluster.ServiceId);
        }
    }

    [Fact]
    public void Compose_starts_postgres_then_the_migration_then_three_silos_then_a_client_api()
    {
        var services = Files.ComposeServices.ToDictionary(s => s.Name, s => s.Service, StringComparer.Ordinal);
        var postgres = services.Single(s => s.Value.Str("image")?.StartsWith("postgres:15", StringComparison.Ordinal) == true);
        Assert.Contains("pg_isready", HealthCheckCommand(postgres.Value), StringComparison.Ordinal);
        Assert.DoesNotContain("fsync=off", string.Join(' ', postgres.Value.Seq("command")), StringComparison.Ordinal);

        var migration = Assert.Single(ComposeServicesBuiltFrom(IsSilo), s => IsMigration(s.Service));
        Assert.Equal("service_healthy", DependsOn(migration.Service, postgres.Key));

        var silos = ComposeSilos();
        Assert.Equal(3, silos.Count);
        Assert.All(silos, s => Assert.Equal("service_completed_successfully", DependsOn(s.Service, migration.Name)));

        var api = Assert.Single(ComposeServicesBuiltFrom(IsApi));
        Assert.Equal(nameof(ClusterMode.Client), Setting(Files.ComposeEnvironment(api.Service), "TaskFlow:Cluster:Mode"));
        Assert.All(silos, s => Assert.Equal("service_healthy", DependsOn(api.Service, s.Name)));
    }

    [Fact]
    public void Kubernetes_runs_three_silos_a_client_api_and_the_migration_as_a_Job()
    {
        var jobs = Files.OfKind("Job").SelectMany(j => j.Containers.Select(c => (Owner: j, Container: c))).ToList();
        Assert.Contains(jobs, j => IsSilo(Files.DockerfileOfImage(j.Container.Str("image"))) && IsMigration(j.Container));

        var (apiDeployment, apiContainer) = Assert.Single(KubernetesWorkloads(IsApi));
        Assert.Equal(nameof(ClusterMode.Client), Setting(Files.ContainerEnvironment(apiDeployment, apiContainer), "TaskFlow:Cluster:Mode"));
        Assert.Equal("3", Assert.Single(KubernetesSilos()).Owner.Root.Map("spec").Str("replicas"));
    }

    [Fact]
    public void The_Dockerfiles_restore_and_publish_projects_of_the_repository_and_run_what_they_publish()
    {
        Assert.NotEmpty(Files.Dockerfiles);
        foreach (var dockerfile in Files.Dockerfiles)
        {
            var name = Files.Relative(dockerfile.Path);
            var copied = new List<string>();
            string? published = null;
            foreach (var instruction in dockerfile.Instructions)
            {
                if (instruction.Keyword == "COPY")
                {
                    var words = Dockerfile.Words(instruction.Arguments);
                    if (words.Any(w => w.StartsWith("--from=", StringComparison.Ordinal))) continue;
                    foreach (var source in words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
                    {
                        var path = Path.Combine(Files.Root, source);
                        Assert.True(File.Exists(path) || Directory.Exists(path), $"{name}: COPY {source} names nothing in the repository.");
                        copied.Add(source.TrimEnd('/'));
                    }
                }
                if (instruction.Keyword != "RUN") continue;
                foreach (var project in Project().Matches(instruction.Arguments).Select(m => m.Value))
                {
                    Assert.True(File.Exists(Path.Combine(Files.Root, project)), $"{name}: {project} is not in the repository.");
                    if (instruction.Arguments.Contains("dotnet restore", StringComparison.Ordinal))
                    {
                        // The restore runs before the sources are copied: every project file it reads must be there.
                        foreach (var needed in ProjectClosure(project).Concat(["global.json", "Directory.Build.props", "Directory.Packages.props"]))
                            Assert.True(copied.Contains(needed), $"{name}: the restore of {project} needs {needed}, which is not copied before it.");
                    }
                    if (instruction.Arguments.Contains("dotnet publish", StringComparison.Ordinal)) published = project;
                }
            }
            Assert.True(published is not null, $"{name}: no `dotnet publish` of a project.");
            Assert.Equal(new[] { "dotnet", AssemblyName(published) + ".dll" }, dockerfile.EntryPoint);
        }
    }

    [Fact]
    public void Compose_builds_its_images_from_the_repository_root_with_the_deploy_Dockerfiles()
    {
        var built = Files.ComposeServices.Where(s => s.Service.Map("build") is not null).ToList();
        Assert.NotEmpty(built);
        foreach (var (name, service) in built)
        {
            var context = Path.GetFullPath(Path.Combine(Files.Root, "deploy", service.Map("build").Str("context") ?? "."));
            Assert.Equal(Path.GetFullPath(Files.Root).TrimEnd(Path.DirectorySeparatorChar), context.TrimEnd(Path.DirectorySeparatorChar));
            Assert.True(Files.ComposeDockerfile(service) is not null, $"compose service {name}: its Dockerfile is not one of deploy/docker.");
        }
    }

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
