"""Minimal GeoTIFF GeoKey dumper (first IFD, classic and BigTIFF): read(path) -> (keys, tags)."""
import struct,sys
def read(path):
    f=open(path,'rb').read()
    bo='<' if f[:2]==b'II' else '>'
    magic=struct.unpack(bo+'H',f[2:4])[0]
    if magic==42:
        off=struct.unpack(bo+'I',f[4:8])[0]; big=False
    else:
        off=struct.unpack(bo+'Q',f[8:16])[0]; big=True
    sizes={1:1,2:1,3:2,4:4,5:8,6:1,7:1,8:2,9:4,10:8,11:4,12:8,16:8,17:8,18:8}
    fmt={1:'B',2:'c',3:'H',4:'I',5:'II',6:'b',7:'B',8:'h',9:'i',10:'ii',11:'f',12:'d',16:'Q',17:'q',18:'Q'}
    if big:
        n=struct.unpack(bo+'Q',f[off:off+8])[0]; p=off+8; es=20
    else:
        n=struct.unpack(bo+'H',f[off:off+2])[0]; p=off+2; es=12
    tags={}
    for i in range(n):
        e=f[p+i*es:p+(i+1)*es]
        if big: tag,typ,cnt=struct.unpack(bo+'HHQ',e[:12]); vo=e[12:20]; lim=8
        else: tag,typ,cnt=struct.unpack(bo+'HHI',e[:8]); vo=e[8:12]; lim=4
        sz=sizes.get(typ,1)*cnt
        if sz<=lim: data=vo[:sz]
        else:
            o=struct.unpack(bo+('Q' if big else 'I'),vo)[0]; data=f[o:o+sz]
        if tag in (34735,34736,34737,33550,33922,42112,42113):
            if typ==2: tags[tag]=data.decode('latin1')
            else:
                c={3:'H',12:'d',4:'I'}[typ]
                tags[tag]=list(struct.unpack(bo+c*cnt,data))
    gk=tags.get(34735); dbl=tags.get(34736,[]); asc=tags.get(34737,'')
    out={}
    if gk:
        for i in range(gk[3]):
            k,loc,cnt,val=gk[4+4*i:8+4*i]
            if loc==0: v=val
            elif loc==34736: v=dbl[val:val+cnt]
            elif loc==34737: v=asc[val:val+cnt]
            else: v=('?',loc)
            out[k]=v
    return out,tags
for p in sys.argv[1:]:
    g,t=read(p)
    print(p.split('/')[-1], g, 'scale',t.get(33550), 'tie',t.get(33922))
