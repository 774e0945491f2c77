using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow;

/// <summary>A task name bound to its handler, argument type and options.</summary>
public sealed class TaskRegistration
{
    private readonly Func<IServiceProvider, object, TaskContext, CancellationToken, Task> _invoke;

    private TaskRegistration(string name, Type handlerType, Type argsType, TaskOptions options,
        Func<IServiceProvider, object, TaskContext, CancellationToken, Task> invoke)
    {
        Name = name;
        HandlerType = handlerType;
        ArgsType = argsType;
        Options = options;
        _invoke = invoke;
    }

    /// <summary>The task's name, unique in the registry.</summary>
    public string Name { get; }

    /// <summary>The handler class, resolved from DI for every attempt.</summary>
    public Type HandlerType { get; }

    /// <summary>The argument type the JSON args bind to.</summary>
    public Type ArgsType { get; }

    /// <summary>The task's options.</summary>
    public TaskOptions Options { get; }

    /// <summary>Resolves the handler from <paramref name="services"/> and runs one attempt.</summary>
    public Task InvokeAsync(IServiceProvider services, object args, TaskContext context, CancellationToken cancellationToken) =>
        _invoke(services, args, context, cancellationToken);

    internal static TaskRegistration Create<THandler, TArgs>(string name, TaskOptions options)
        where THandler : class, ITaskHandler<TArgs> =>
        new(name, typeof(THandler), typeof(TArgs), options,
            (services, args, context, ct) => services.GetRequiredService<THandler>().RunAsync((TArgs)args, context, ct));
}
