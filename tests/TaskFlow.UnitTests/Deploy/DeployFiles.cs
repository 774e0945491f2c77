using System.Text;

namespace TaskFlow.UnitTests.Deploy;

/// <summary>A TaskFlow setting as a deploy file gives it; <see cref="Value"/> is null where the file only says
/// where the value comes from (a secret reference, the downward API).</summary>
internal sealed record DeploySetting(string Source, string Key, string? Value);

/// <summary>One object of a Kubernetes manifest.</summary>
internal sealed record KubernetesObject(string File, IReadOnlyDictionary<string, object?> Root)
{
    public string Kind => Root.Str("kind") ?? "";

    public string Name => Root.Map("metadata").Str("name") ?? "";

    public string? Namespace => Root.Map("metadata").Str("namespace");

    public IReadOnlyDictionary<string, object?>? PodTemplate => Root.Map("spec").Map("template");

    public IEnumerable<IReadOnlyDictionary<string, object?>> Containers => PodTemplate.Map("spec").Maps("containers");

    public override string ToString() => $"{File}: {Kind} {Name}";
}

/// <summary>The deployment files under deploy/, parsed: compose.yaml, every document of every YAML file under
/// k8s/, and the Dockerfiles under docker/.</summary>
internal sealed class DeployFiles
{
    private static readonly Lazy<DeployFiles> Instance = new(() => new DeployFiles(FindRepositoryRoot()));

    private DeployFiles(string root)
    {
        Root = root;
        var deploy = Path.Combine(root, "deploy");
        Compose = YamlTree.LoadDocuments(Path.Combine(deploy, "compose.yaml")).Single();
        Kubernetes = Directory.EnumerateFiles(Path.Combine(deploy, "k8s"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => YamlTree.LoadDocuments(f).Select(d => new KubernetesObject(Relative(f), d)))
            .ToList();
        Dockerfiles = Directory.EnumerateFiles(Path.Combine(deploy, "docker"), "*Dockerfile")
            .Order(StringComparer.Ordinal)
            .Select(Dockerfile.Load)
            .ToList();
    }

    public static DeployFiles Current => Instance.Value;

    public string Root { get; }

    public IReadOnlyDictionary<string, object?> Compose { get; }

    public IReadOnlyList<KubernetesObject> Kubernetes { get; }

    public IReadOnlyList<Dockerfile> Dockerfiles { get; }

    public IEnumerable<(string Name, IReadOnlyDictionary<string, object?> Service)> ComposeServices =>
        Compose.Map("services")?.Select(s => (s.Key, (IReadOnlyDictionary<string, object?>)s.Value!)) ?? [];

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    public IEnumerable<KubernetesObject> OfKind(string kind) => Kubernetes.Where(o => o.Kind == kind);

    /// <summary>Every TaskFlow setting the files give: compose services' environment, Kubernetes containers' env,
    /// ConfigMaps' and Secrets' keys, and the Dockerfiles' ENV.</summary>
    public IEnumerable<DeploySetting> Settings()
    {
        foreach (var (name, service) in ComposeServices)
        {
            foreach (var (key, value) in ComposeServiceEnvironment(service))
                yield return new DeploySetting($"deploy/compose.yaml: services.{name}.environment", key, value);
        }
        foreach (var item in Kubernetes)
        {
            if (item.Kind is "ConfigMap" or "Secret")
            {
                foreach (var (key, value) in Data(item))
                    yield return new DeploySetting($"{item}", key, value);
            }
            // Containers anywhere (Deployment, Job, CronJob, Pod…): every mapping with an env list is one.
            foreach (var container in YamlTree.Descendants(item.Root).Where(m => m.Seq("env").Count > 0))
            {
                foreach (var variable in container.Maps("env"))
                    yield return new DeploySetting($"{item}, container {container.Str("name")}", variable.Str("name") ?? "", variable.Str("value"));
            }
        }
        foreach (var dockerfile in Dockerfiles)
        {
            foreach (var (key, value) in dockerfile.EnvAssignments)
                yield return new DeploySetting($"{Relative(dockerfile.Path)}: ENV", key, value);
        }
    }

    /// <summary>The Dockerfile a compose service builds from (context relative to deploy/).</summary>
    public Dockerfile? ComposeDockerfile(IReadOnlyDictionary<string, object?> service)
    {
        if (service.Map("build") is not { } build) return null;
        var context = Path.GetFullPath(Path.Combine(Root, "deploy", build.Str("context") ?? "."));
        var path = Path.GetFullPath(Path.Combine(context, build.Str("dockerfile") ?? "Dockerfile"));
        return Dockerfiles.SingleOrDefault(d => Path.GetFullPath(d.Path) == path);
    }

    /// <summary>What a process of the image sees with nothing else set: its final stage's ENV.</summary>
    public IReadOnlyDictionary<string, string?> ImageEnvironment(Dockerfile? dockerfile)
    {
        var environment = NewEnvironment();
        foreach (var (key, value) in dockerfile?.Environment ?? new Dictionary<string, string>())
            environment[TaskFlowSettingShape.Normalize(key)] = value;
        return environment;
    }

    /// <summary>What a compose service's process sees: the image's ENV, then the service's environment.</summary>
    public IReadOnlyDictionary<string, string?> ComposeEnvironment(IReadOnlyDictionary<string, object?> service)
    {
        var environment = new Dictionary<string, string?>(ImageEnvironment(ComposeDockerfile(service)), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in ComposeServiceEnvironment(service))
            environment[TaskFlowSettingShape.Normalize(key)] = value;
        return environment;
    }

    /// <summary>The Dockerfile of an image, known from the compose service that builds the image of that name.</summary>
    public Dockerfile? DockerfileOfImage(string? image) =>
        ComposeServices
            .Where(s => Repository(s.Service.Str("image")) == Repository(image))
            .Select(s => ComposeDockerfile(s.Service))
            .FirstOrDefault(d => d is not null);

    /// <summary>What a Kubernetes container's process sees: the image's ENV, envFrom (ConfigMaps and Secrets of
    /// these files), then env, whose configMapKeyRef and secretKeyRef are looked up too.</summary>
    public IReadOnlyDictionary<string, string?> ContainerEnvironment(KubernetesObject owner, IReadOnlyDictionary<string, object?> container)
    {
        var environment = new Dictionary<string, string?>(ImageEnvironment(DockerfileOfImage(container.Str("image"))), StringComparer.OrdinalIgnoreCase);
        foreach (var source in container.Maps("envFrom"))
        {
            var (kind, reference) = source.Map("configMapRef") is { } configMap ? ("ConfigMap", configMap) : ("Secret", source.Map("secretRef"));
            foreach (var (key, value) in Data(Find(owner, kind, reference.Str("name"))))
                environment[TaskFlowSettingShape.Normalize(key)] = value;
        }
        foreach (var variable in container.Maps("env"))
        {
            var from = variable.Map("valueFrom");
            var value = variable.Str("value")
                ?? Lookup(owner, "ConfigMap", from.Map("configMapKeyRef"))
                ?? Lookup(owner, "Secret", from.Map("secretKeyRef"));
            environment[TaskFlowSettingShape.Normalize(variable.Str("name") ?? "")] = value;
        }
        return environment;
    }

    private string? Lookup(KubernetesObject owner, string kind, IReadOnlyDictionary<string, object?>? reference) =>
        reference is null ? null : Data(Find(owner, kind, reference.Str("name"))).GetValueOrDefault(reference.Str("key") ?? "");

    private KubernetesObject Find(KubernetesObject owner, string kind, string? name) =>
        OfKind(kind).SingleOrDefault(o => o.Name == name && o.Namespace == owner.Namespace)
        ?? throw new InvalidOperationException($"{owner} refers to the {kind} '{name}', which no file under deploy/k8s defines.");

    private static Dictionary<string, string?> Data(KubernetesObject item)
    {
        var data = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in item.Root.Map("data") ?? new Dictionary<string, object?>())
            data[key] = item.Kind == "Secret" && value is string encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : value as string;
        foreach (var (key, value) in item.Root.Map("stringData") ?? new Dictionary<string, object?>())
            data[key] = value as string;
        return data;
    }

    // Compose takes a mapping (KEY: value) or a list (KEY=value, or KEY alone to pass the host's value through).
    private static IEnumerable<KeyValuePair<string, string?>> ComposeServiceEnvironment(IReadOnlyDictionary<string, object?> service) =>
        service.TryGetValue("environment", out var environment) ? environment switch
        {
            IReadOnlyDictionary<string, object?> map => map.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value as string)),
            IReadOnlyList<object?> list => list.OfType<string>().Select(SplitAssignment),
            _ => [],
        } : [];

    private static KeyValuePair<string, string?> SplitAssignment(string assignment) =>
        assignment.IndexOf('=', StringComparison.Ordinal) is var equals and >= 0
            ? new(assignment[..equals], assignment[(equals + 1)..])
            : new(assignment, null);

    // registry/name:tag or name@digest → registry/name
    private static string? Repository(string? image)
    {
        if (image is null) return null;
        var name = image.Split('@')[0];
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    private static Dictionary<string, string?> NewEnvironment() => new(StringComparer.OrdinalIgnoreCase);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("TaskFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
