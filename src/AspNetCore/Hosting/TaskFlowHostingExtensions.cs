using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TaskFlow.Health;
using TaskFlow.Hosting;
using TaskFlow.Security;

namespace TaskFlow;

/// <summary><c>builder.AddTaskFlow(tf =&gt; tf.AddTask&lt;T&gt;("name"))</c>: registers tasks and, per
/// <c>TaskFlow:Cluster:Mode</c>, hosts a silo in this process (Embedded: needs the runtime, added with a storage such as
/// <c>tf.AddSqliteStorage()</c>) or joins a cluster as a client (Client: this package alone).</summary>
public static class TaskFlowHostingExtensions
{
    /// <summary>Adds TaskFlow to an ASP.NET Core (or any generic) host, with options from the <c>TaskFlow</c> section.</summary>
    public static IHostApplicationBuilder AddTaskFlow(this IHostApplicationBuilder builder, Action<TaskFlowBuilder>? configure = null) =>
        AddTaskFlowCore(builder, null, configure);

    /// <summary>Adds TaskFlow with options set in code (<c>o =&gt; o.Cluster.Mode = ClusterMode.Client</c>), applied after
    /// the <c>TaskFlow</c> section's; both are validated when the host starts.</summary>
    public static IHostApplicationBuilder AddTaskFlow(this IHostApplicationBuilder builder, Action<TaskFlowOptions> options,
        Action<TaskFlowBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AddTaskFlowCore(builder, options, configure);
    }

    private static IHostApplicationBuilder AddTaskFlowCore(IHostApplicationBuilder builder, Action<TaskFlowOptions>? configureOptions,
        Action<TaskFlowBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var tasks = new TaskFlowBuilder(builder.Services);
        configure?.Invoke(tasks);
        builder.Services.AddTaskFlowOptions(configuration, configureOptions);
        var options = TaskFlowOptionsRegistration.Read(configuration, configureOptions);

        if (options.Cluster.Mode == ClusterMode.Embedded)
            EmbeddedSilo(builder.Services).AddTo(builder, options);
        else
            builder.UseOrleansClient(client => client.UseTaskFlowClustering(options));

        builder.Services.TryAddSingleton<ITaskQueue, TaskQueue>();
        builder.Services.TryAddSingleton<ITaskSchedules, TaskSchedules>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Streaming.TaskEventsBroadcaster>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Streaming.TaskEventsBroadcaster>());
        builder.Services.AddTaskFlowAccess(configuration);
        var clustered = options.Cluster.Mode == ClusterMode.Client || options.Storage.Provider == StorageProvider.Postgres;
        var encryptsArgs = options.Cluster.Mode == ClusterMode.Embedded && options.Storage.EncryptArgs;
        builder.Services.AddHostedService(sp => new DataProtectionKeysCheck(clustered, encryptsArgs, sp,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DataProtectionKeysCheck>>()));
        builder.Services.AddProblemDetails();
        Endpoints.TaskFlowOpenApiRegistration.AddTaskFlowOpenApi(builder.Services);
        builder.Services.TryAddSingleton<TaskFlowRoutes>();
        builder.Services.PostConfigure<Microsoft.AspNetCore.Http.ProblemDetailsOptions>(o => o.CustomizeProblemDetails += ExplainUnsupportedMediaType);
        builder.Services.AddHealthChecks().AddCheck<TaskFlowReadinessCheck>("taskflow", tags: [TaskFlowReadinessCheck.Tag]);
        return builder;
    }

    private static ITaskFlowEmbeddedSilo EmbeddedSilo(IServiceCollection services) =>
        services.Select(d => d.ImplementationInstance).OfType<ITaskFlowEmbeddedSilo>().FirstOrDefault()
        ?? throw new InvalidOperationException(
            "TaskFlow:Cluster:Mode is 'Embedded', which hosts the silo in this process, but the runtime was not added: reference a storage " +
            "package (TaskFlow.Storage.Sqlite, TaskFlow.Storage.PostgreSql) and call tf.AddSqliteStorage() or tf.AddPostgreSqlStorage() " +
            "in AddTaskFlow (or TaskFlow.Grains and tf.AddMemoryStorage()); or set TaskFlow:Cluster:Mode to 'Client' to call a cluster.");

    /// <summary>Routing refuses a body of the wrong type before any endpoint runs; say which field and what is accepted —
    /// on TaskFlow's own routes only: the host app's other 415 answers stay as the app makes them.</summary>
    private static void ExplainUnsupportedMediaType(Microsoft.AspNetCore.Http.ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != Microsoft.AspNetCore.Http.StatusCodes.Status415UnsupportedMediaType ||
            context.ProblemDetails.Detail is not null) return;
        var routes = context.HttpContext.RequestServices.GetService<TaskFlowRoutes>();
        if (routes is null || !routes.Covers(context.HttpContext.Request.Path)) return;
        var sent = context.HttpContext.Request.ContentType ?? "none";
        context.ProblemDetails.Detail = $"body: the body must be JSON sent as 'application/json' (was '{sent}').";
    }
}

/// <summary>The prefixes <c>MapTaskFlow</c> mapped, so what TaskFlow adds to the host's pipeline stays on its routes.</summary>
internal sealed class TaskFlowRoutes
{
    private readonly List<string> _prefixes = [];
    private readonly Lock _gate = new();

    public void Add(string prefix)
    {
        lock (_gate) _prefixes.Add("/" + prefix.Trim('/'));
    }

    /// <summary>True when <paramref name="path"/> is a mapped prefix or under one.</summary>
    public bool Covers(Microsoft.AspNetCore.Http.PathString path)
    {
        lock (_gate) return _prefixes.Any(p => p == "/" || path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
    }
}

