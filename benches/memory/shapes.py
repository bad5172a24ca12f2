# Memory shapes for issue 13 (class 4): one 8 MiB file per folder under $1; measure each with
#   /usr/bin/time -f %M target/release/twelve-check --isolated -f concise $1/<shape>
import sys, os, json
N = 8*1024*1024 - 4096
def fill(unit, head='', tail='', sep=','):
    out=[head]; size=len(head)+len(tail); i=0
    while True:
        u=unit(i)
        if size+len(u)+len(sep) > N: break
        out.append(u if i==0 else sep+u); size+=len(u)+len(sep); i+=1
    out.append(tail); return ''.join(out)
shapes = {
 'objects.json': lambda: fill(lambda i: '{"a":%d,"b":"x"}'%i, '[', ']\n'),
 'numbers.json': lambda: fill(lambda i: '%d'%(i%10), '[', ']\n'),
 'deep.json': lambda: fill(lambda i: '['*200+'1'+']'*200, '[', ']\n'),
 'strings.json': lambda: fill(lambda i: '"'+'x'*100000+'"', '[', ']\n'),
 'floats.json': lambda: fill(lambda i: '1e300', '[', ']\n'),
 'map.json': lambda: fill(lambda i: '"k%d":%d'%(i,i), '{', '}\n'),
 'objects.yaml': lambda: fill(lambda i: '- {a: %d, b: x}\n'%i, '', '', ''),
 'block.yaml': lambda: fill(lambda i: 'k%d: v\n'%i, '', '', ''),
 'flow.yaml': lambda: fill(lambda i: 'k%d: %d'%(i,i), 'a: {', '}\n'),
 'keyflow.yaml': lambda: fill(lambda i: 'a', '- [', ']\n'),
}
for name, f in shapes.items():
    d=os.path.join(sys.argv[1], name.replace('.','_')); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name),'w').write(f())
