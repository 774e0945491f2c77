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
}
