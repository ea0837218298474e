#!/usr/bin/env python3
"""tools/hand_eval.py - precision/recall of each print/handwriting cue and of
rec_hand_printed() on composed form cards (docs/segment.md, "Printed or
handwritten").

  tools/hand_eval.py TRAIN.tsv TRAIN/form.yaml TEST.tsv TEST/form.yaml

The TSVs are build/tools/hand_cues output on cards made by
build/tools/form_compose --shift 0 --scale 0 --rotate 0 (so template boxes
are page boxes). Truth: a word is printed when its centre is outside every
field box; words in checkbox boxes are left out. Each cue gets the single
threshold that is most accurate on TRAIN, measured on TEST; then a
logistic model over the cues (fitted on TRAIN) and the built-in score.
"""
import sys, re, csv, math
CUES = ["stroke_cv","stroke_between","straight","conf","bottom_dev","top_shared","height_shared"]
def boxes(yaml):
    b=[]; kind=None
    for line in open(yaml):
        m=re.search(r"box: \[(\d+), (\d+), (\d+), (\d+)\]", line)
        if m: b.append(tuple(map(int,m.groups())))
    return b
def load(tsv, yaml):
    B=boxes(yaml); rows=[]
    for r in csv.DictReader(open(tsv), delimiter="\t"):
        cx=(int(r["x0"])+int(r["x1"]))/2; cy=(int(r["y0"])+int(r["y1"]))/2
        inbox=[b for b in B if b[0]<=cx<=b[2] and b[1]<=cy<=b[3]]
        if inbox and (inbox[0][2]-inbox[0][0])<80: continue  # checkbox: furniture/cross, ambiguous
        r["truth"]=0 if inbox else 1
        for c in CUES+["printed","stroke_width"]: r[c]=float(r[c])
        r["n"]=int(r["n"]); rows.append(r)
    return rows
def pr(pred, truth):
    tp=sum(1 for p,t in zip(pred,truth) if p and t); fp=sum(1 for p,t in zip(pred,truth) if p and not t)
    fn=sum(1 for p,t in zip(pred,truth) if not p and t)
    acc=sum(1 for p,t in zip(pred,truth) if p==t)/len(truth)
    return tp/(tp+fp) if tp+fp else 0, tp/(tp+fn) if tp+fn else 0, acc
def feats(r):
    conf = r["conf"]
    if r["n"]>=2: return [r[c] for c in CUES]
    return [r["stroke_cv"], r["stroke_between"], r["straight"], conf, 0,0,0]
def best_thresh(rows, cue):
    vals=sorted(set(r[cue] for r in rows)); best=(0,None,None)
    for s in (1,-1):
        for v in vals:
            pred=[(s*r[cue]>=s*v) for r in rows]; a=pr(pred,[r["truth"] for r in rows])[2]
            if a>best[0]: best=(a,v,s)
    return best
def sig(z): return 1/(1+math.exp(-max(-50,min(50,z))))
def logit(X,y,l2=1e-3,it=4000,lr=2.0):
    d=len(X[0])+1; w=[0.0]*d; n=len(X)
    for _ in range(it):
        g=[0.0]*d
        for x,t in zip(X,y):
            p=sig(w[0]+sum(a*b for a,b in zip(w[1:],x))); e=p-t
            g[0]+=e
            for k in range(1,d): g[k]+=e*x[k-1]
        for k in range(d): w[k]-=lr*(g[k]/n+(l2*w[k] if k else 0))
    return w
def predict(w,X): return [sig(w[0]+sum(a*b for a,b in zip(w[1:],x))) for x in X]
if __name__=="__main__":
    tr=load(sys.argv[1],sys.argv[2]); te=load(sys.argv[3],sys.argv[4])
    print("train words %d (printed %d), test words %d (printed %d)"%(len(tr),sum(r["truth"] for r in tr),len(te),sum(r["truth"] for r in te)))
    for cue in CUES+["stroke_width"]:
        sub=lambda rows:[r for r in rows if cue not in ("bottom_dev","top_shared","height_shared") or r["n"]>=2]
        a,v,s=best_thresh(sub(tr),cue); T=sub(te)
        p,rc,acc=pr([(s*r[cue]>=s*v) for r in T],[r["truth"] for r in T])
        print("%-15s printed if %s %.4f: test P %.3f R %.3f acc %.3f (n=%d)"%(cue,">=" if s>0 else "<=",v,p,rc,acc,len(T)))
    for name,sel in (("multi",lambda r:r["n"]>=2),("single",lambda r:r["n"]<2)):
        cols = list(range(7)) if name=="multi" else [0,1,2,3]
        Xtr=[[feats(r)[c] for c in cols] for r in tr if sel(r)]; ytr=[r["truth"] for r in tr if sel(r)]
        Xte=[[feats(r)[c] for c in cols] for r in te if sel(r)]; yte=[r["truth"] for r in te if sel(r)]
        if len(set(ytr))<2: print(name,"one class only in train", len(ytr)); continue
        w=logit(Xtr,ytr); pte=predict(w,Xte)
        p,rc,acc=pr([q>=0.5 for q in pte],yte)
        print("combined %s weights %s: test P %.3f R %.3f acc %.3f (n=%d)"%(name,[round(v,3) for v in w],p,rc,acc,len(yte)))
    p,rc,acc=pr([r["printed"]>=0.5 for r in te],[r["truth"] for r in te]); print("built-in rec_hand_printed: test P %.3f R %.3f acc %.3f"%(p,rc,acc))
